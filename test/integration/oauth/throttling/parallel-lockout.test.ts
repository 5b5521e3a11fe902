import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { PasswordVerifier } from "../../../../src/oauth/throttle";
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

/**
 * Regression: parallel wrong passwords bypassed the lockout. Each sign-in read "not locked yet", then ran the slow
 * argon2id check, and only then counted the failure, so ten simultaneous guesses were all checked against a limit of
 * five; and the OAuth and admin sign-in pages kept separate counters, doubling the guesses. Now one counter per
 * account, shared by both pages and by every process on the database, is reserved before the hash is checked.
 */

setDefaultTimeout(60_000);

const MAX_FAILURES = 5;
const time = manualClock();
let verifications = 0;
/** The real argon2id check, counted, and slowed a little so every parallel attempt is in flight at once. */
const countingVerifier: PasswordVerifier = async (password, hash) => {
  verifications++;
  await Bun.sleep(50);
  return Bun.password.verify(password, hash);
};

let app: TestAppliance;
let client: TestClient;
beforeAll(async () => {
  app = await startTestAppliance({
    clock: time.clock,
    passwordVerifier: countingVerifier,
    env: { CAVARIDGE_DEMO_SEED: "off" },
    extraToml: `[oauth]\nlogin_max_failures = ${MAX_FAILURES}\nlogin_lockout_seconds = 60\n`,
  });
  client = await registerTestClient(app);
});
afterAll(async () => {
  await app?.close();
});

type Page = "oauth" | "admin";

/** Loads a sign-in form (cookies and CSRF token) and returns the function that submits it. */
async function prepareSignIn(page: Page, email: string, password: string): Promise<() => Promise<Response>> {
  const jar = new CookieJar();
  if (page === "oauth") {
    const form = await fetchWithJar(jar, buildAuthorizeUrl(app, client));
    const fields = { ...hiddenInputs(await form.text()), email, password };
    return () => fetchWithJar(jar, `${app.baseUrl}/oauth/authorize/sign-in`, formBody(fields));
  }
  const form = await fetchWithJar(jar, `${app.adminUrl}/sign-in`);
  const fields = { ...hiddenInputs(await form.text()), email, password };
  return () => fetchWithJar(jar, `${app.adminUrl}/sign-in`, formBody(fields));
}

async function signIn(page: Page, email: string, password: string): Promise<Response> {
  return (await prepareSignIn(page, email, password))();
}

async function auditCount(where: string): Promise<number> {
  await app.ctx.audit.flush();
  const r = await app.ctx.store.client.execute(`SELECT count(*) AS n FROM audit_log WHERE ${where}`);
  return Number(r.rows[0]!.n);
}

describe("one lockout per account across both sign-in pages", () => {
  test("20 parallel wrong passwords split over the OAuth and admin pages check at most login_max_failures hashes", async () => {
    const email = "admin@otter-msp.example";
    const submits = await Promise.all(
      Array.from({ length: 20 }, (_, i) => prepareSignIn(i % 2 === 0 ? "oauth" : "admin", email, `wrong-${i}`)),
    );
    verifications = 0;
    const responses = await Promise.all(submits.map((submit) => submit()));
    const statuses = responses.map((r) => r.status);

    expect(verifications).toBeGreaterThan(0);
    expect(verifications).toBeLessThanOrEqual(MAX_FAILURES);
    expect(statuses.filter((s) => s === 401).length).toBe(verifications);
    expect(statuses.filter((s) => s === 429).length).toBe(20 - verifications);
    // The store holds exactly the failures that were checked, under one key for the account.
    const row = await app.ctx.store.client.execute({
      sql: "SELECT failures, locked_until FROM oauth_login_throttle WHERE key = ?",
      args: [`acct:${email}`],
    });
    expect(Number(row.rows[0]!.failures)).toBe(verifications);
    const checked =
      (await auditCount("action = 'oauth.sign_in' AND outcome = 'failed'")) +
      (await auditCount("action = 'admin.sign_in' AND outcome = 'bad_credentials'"));
    expect(checked).toBe(verifications);
  });

  test("two appliances on one database share the counter: parallel guesses through both still check at most the limit", async () => {
    time.advance(61_000);
    const second = await startTestAppliance({
      dir: app.dir,
      clock: time.clock,
      passwordVerifier: countingVerifier,
      env: { CAVARIDGE_DEMO_SEED: "off" },
      extraToml: `[oauth]\nlogin_max_failures = ${MAX_FAILURES}\nlogin_lockout_seconds = 60\n`,
    });
    try {
      const email = "owner@fabrikam-law.example";
      const submits: (() => Promise<Response>)[] = [];
      for (let i = 0; i < 10; i++) {
        submits.push(await prepareSignIn("oauth", email, `wrong-${i}`));
        const jar = new CookieJar();
        const form = await fetchWithJar(jar, `${second.adminUrl}/sign-in`);
        const fields = { ...hiddenInputs(await form.text()), email, password: `wrong-b${i}` };
        submits.push(() => fetchWithJar(jar, `${second.adminUrl}/sign-in`, formBody(fields)));
      }
      verifications = 0;
      const statuses = (await Promise.all(submits.map((submit) => submit()))).map((r) => r.status);
      expect(verifications).toBeGreaterThan(0);
      expect(verifications).toBeLessThanOrEqual(MAX_FAILURES);
      expect(statuses.filter((s) => s === 401).length).toBe(verifications);
    } finally {
      await second.stop();
    }
  });

  test("after the lockout the right password is refused on both pages, unchecked, until the lockout ends", async () => {
    const email = "admin@harbor-it.example";
    time.advance(61_000);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const page: Page = i % 2 === 0 ? "admin" : "oauth";
      expect((await signIn(page, email, "wrong-password")).status).toBe(401);
    }
    verifications = 0;
    expect((await signIn("oauth", email, TEST_PASSWORD)).status).toBe(429);
    const admin = await signIn("admin", email, TEST_PASSWORD);
    expect(admin.status).toBe(429);
    expect(Number(admin.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(verifications).toBe(0);

    time.advance(30_000);
    expect((await signIn("admin", email, TEST_PASSWORD)).status).toBe(429);
    time.advance(31_000);
    expect((await signIn("oauth", email, TEST_PASSWORD)).status).toBe(303);
    expect((await signIn("admin", email, TEST_PASSWORD)).status).toBe(303);
  });

  test("wrong passwords for an unknown account get the same answers and the same lockout as for a real one", async () => {
    time.advance(61_000);
    const answers = async (page: Page, email: string) => {
      const out: string[] = [];
      for (let i = 0; i <= MAX_FAILURES; i++) {
        const res = await signIn(page, email, "wrong-password");
        // The page echoes the typed email back into the form; everything else must be identical.
        const body = (await res.text()).replaceAll(email, "EMAIL").replace(/value="[A-Za-z0-9_-]{20,}"/g, 'value="T"');
        out.push(`${res.status} ${body}`);
      }
      return out;
    };
    for (const page of ["oauth", "admin"] as const) {
      const known = await answers(page, page === "oauth" ? "tech@harbor-it.example" : "platform@harbor-it.example");
      time.advance(61_000);
      const unknown = await answers(page, `nobody-${page}@harbor-it.example`);
      time.advance(61_000);
      expect(unknown.map((a) => a.slice(0, 3))).toEqual([...Array.from({ length: MAX_FAILURES }, () => "401"), "429"]);
      expect(unknown).toEqual(known);
    }
  });
});
