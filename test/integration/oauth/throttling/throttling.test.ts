import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../../../../src/store/schema/audit";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../../../helpers/appliance";
import {
  buildAuthorizeUrl,
  CookieJar,
  fetchWithJar,
  formBody,
  hiddenInputs,
  manualClock,
  registerTestClient,
  type TestClient,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

const time = manualClock();
let app: TestAppliance;
let client: TestClient;
beforeAll(async () => {
  app = await startTestAppliance({
    clock: time.clock,
    extraToml: "[oauth]\nlogin_max_failures = 3\nlogin_lockout_seconds = 60\n",
  });
  client = await registerTestClient(app);
});
afterAll(async () => {
  await app.close();
});

async function signIn(email: string, password: string): Promise<number> {
  const jar = new CookieJar();
  const page = await fetchWithJar(jar, buildAuthorizeUrl(app, client));
  const res = await fetchWithJar(
    jar,
    `${app.baseUrl}/oauth/authorize/sign-in`,
    formBody({ ...hiddenInputs(await page.text()), email, password }),
  );
  return res.status;
}

describe("sign-in throttling", () => {
  test("an account locks after login_max_failures failures, even for the right password, until the lockout ends", async () => {
    for (let i = 0; i < 3; i++) expect(await signIn("owner@fabrikam-law.example", "wrong-password")).toBe(401);
    expect(await signIn("owner@fabrikam-law.example", TEST_PASSWORD)).toBe(429);
    // Another account from the same address is not locked by it.
    expect(await signIn("admin@harbor-it.example", TEST_PASSWORD)).toBe(303);
    time.advance(61_000);
    expect(await signIn("owner@fabrikam-law.example", TEST_PASSWORD)).toBe(303);
  });

  test("an address locks after four times as many failures across accounts", async () => {
    for (let i = 0; i < 12; i++) expect(await signIn(`nobody${i}@example.com`, "wrong-password")).toBe(401);
    expect(await signIn("tech@otter-msp.example", TEST_PASSWORD)).toBe(429);
    time.advance(61_000);
    expect(await signIn("tech@otter-msp.example", TEST_PASSWORD)).toBe(303);
  });

  test("failed sign-ins are audited without the password", async () => {
    await app.ctx.audit.flush();
    const rows = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "oauth.sign_in"), eq(auditLog.outcome, "failed")));
    expect(rows.length).toBeGreaterThanOrEqual(15);
    expect(JSON.stringify(rows)).not.toContain("wrong-password");
    const throttled = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "oauth.sign_in"), eq(auditLog.outcome, "throttled")));
    expect(throttled.length).toBeGreaterThanOrEqual(2);
  });
});

describe("audit of failed sign-ins", () => {
  test("a password typed into the email field is not kept", async () => {
    time.advance(61_000);
    expect(await signIn("hunter2-Secret!", "whatever")).toBe(401);
    await app.ctx.audit.flush();
    const rows = await app.ctx.store.db.select().from(auditLog).where(eq(auditLog.action, "oauth.sign_in"));
    expect(JSON.stringify(rows)).not.toContain("hunter2-Secret!");
  });
});
