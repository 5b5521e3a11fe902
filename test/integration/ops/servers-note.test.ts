import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { signInAdmin } from "../admin/admin-session";

/** The admin Servers page carries serve's https note next to URLs that ChatGPT and Claude cannot reach. */
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" } });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

test("a loopback http URL gets the note on the Servers page and in the API inventory", async () => {
  const admin = await signInAdmin(app, "admin@harbor-it.example");
  const page = await (await admin.get("/servers")).text();
  expect(page).toContain(`${app.baseUrl}/cavalier`);
  expect(page).toContain('class="hint warn https-note"');
  expect(page).toContain("ChatGPT and Claude need https on 443");
});
