import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { obtainTokens } from "../../../helpers/oauth";

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

test("obtainTokens drives the full flow and the bearer verifier accepts the token", async () => {
  const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
  expect(t.token_type).toBe("Bearer");
  const access = await app.ctx.oauth!.verifier.verify(t.access_token, "cavalier");
  expect(access.email).toBe("admin@harbor-it.example");
  expect(access.scopes).toEqual(["cavalier:read", "cavalier:write"]);
  await expect(app.ctx.oauth!.verifier.verify(t.access_token, "forge")).rejects.toMatchObject({ code: "invalid_token" });
});
