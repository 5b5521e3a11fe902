import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../../src/shared/crypto";
import { startTestAppliance, TEST_PASSWORD, TEST_PASSWORD_HASH, type TestAppliance } from "../../helpers/appliance";
import { CookieJar, fetchWithJar, formBody, hiddenInputs } from "../../helpers/oauth";
import { auditRows, signInAdmin } from "./admin-session";

let app: TestAppliance;
beforeAll(async () => {
  // A disabled msp_admin: the config keeps them (audit subjects), sign-in must refuse them.
  app = await startTestAppliance({
    extraToml: `[[users]]\nemail = "gone@harbor-it.example"\nname = "Gone"\ntenant = "harbor-it"\nrole = "msp_admin"\npassword_hash = "${TEST_PASSWORD_HASH}"\ndisabled = true\n`,
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

async function attempt(email: string, password: string, jar = new CookieJar()) {
  const form = await fetchWithJar(jar, `${app.adminUrl}/sign-in`);
  const res = await fetchWithJar(
    jar,
    `${app.adminUrl}/sign-in`,
    formBody({ ...hiddenInputs(await form.text()), email, password }),
  );
  return { res, jar, body: await res.text() };
}

describe("admin sign-in", () => {
  test("an msp_admin signs in: HttpOnly SameSite=Strict cookie (no Secure over plain http), only its hash stored, audited", async () => {
    const { res, jar } = await attempt("admin@harbor-it.example", TEST_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connections");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("cavaridge_admin="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
    const raw = jar.get("cavaridge_admin")!;
    const stored = await app.ctx.store.client.execute("SELECT id_hash FROM admin_sessions");
    const hashes = stored.rows.map((r) => String(r.id_hash));
    expect(hashes).toContain(sha256Hex(raw));
    expect(hashes).not.toContain(raw);
    const rows = await auditRows(app, "kind = 'admin' AND action = 'admin.sign_in' AND outcome = 'ok'");
    expect(rows.length).toBeGreaterThan(0);
  });

  test("a wrong password is refused with 401 and audited bad_credentials", async () => {
    const { res, body } = await attempt("owner@fabrikam-law.example", "not-the-password");
    expect(res.status).toBe(401);
    expect(body).toContain("Email or password is incorrect");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("cavaridge_admin="))).toBe(false);
    const rows = await auditRows(app, "action = 'admin.sign_in' AND outcome = 'bad_credentials'");
    expect(rows.length).toBe(1);
    expect(String(rows[0]!.detail)).not.toContain("not-the-password");
  });

  test("a technician may not enter (403, audited denied_role)", async () => {
    const { res, body } = await attempt("tech@harbor-it.example", TEST_PASSWORD);
    expect(res.status).toBe(403);
    expect(body).toContain("may not use the admin console");
    expect((await auditRows(app, "action = 'admin.sign_in' AND outcome = 'denied_role'")).length).toBe(1);
  });

  test("a disabled user is refused like a wrong password", async () => {
    const { res } = await attempt("gone@harbor-it.example", TEST_PASSWORD);
    expect(res.status).toBe(401);
  });

  test("individual_owner and platform_admin may enter", async () => {
    for (const email of ["owner@fabrikam-law.example", "platform@harbor-it.example"]) {
      const { res } = await attempt(email, TEST_PASSWORD);
      expect(res.status).toBe(303);
    }
  });

  // Browsers drop tab/CR/LF in a URL and read "\\" as "/": each of these would leave the admin origin.
  const NEXT_CASES: [next: string, location: string][] = [
    ["//evil.example/x", "/connections"],
    ["/\\evil.example/x", "/connections"],
    ["/%09/evil.example/x", "/connections"],
    ["https://evil.example/x", "/connections"],
    ["javascript:alert(1)", "/connections"],
    ["/\t/evil.example/x", "/connections"],
    // Regression: normalised to the path "//evil.example", sent back as a network-path reference.
    ["/.//evil.example", "/connections"],
    ["/%2f%2fevil.example", "/connections"],
    ["/audit?surface=cavalier", "/audit?surface=cavalier"],
  ];
  for (const [next, location] of NEXT_CASES) {
    test(`after sign-in, next=${JSON.stringify(next)} redirects to ${location}`, async () => {
      const jar = new CookieJar();
      const form = await fetchWithJar(jar, `${app.adminUrl}/sign-in`);
      const res = await fetchWithJar(
        jar,
        `${app.adminUrl}/sign-in`,
        formBody({
          ...hiddenInputs(await form.text()),
          email: "admin@harbor-it.example",
          password: TEST_PASSWORD,
          next,
        }),
      );
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(location);
      expect(new URL(res.headers.get("location")!, `${app.adminUrl}/sign-in`).origin).toBe(
        new URL(app.adminUrl).origin,
      );
    });
  }

  test("a legitimate next survives the round trip through the sign-in page", async () => {
    const jar = new CookieJar();
    const form = await fetchWithJar(
      jar,
      `${app.adminUrl}/sign-in?next=${encodeURIComponent("/audit?surface=cavalier")}`,
    );
    const res = await fetchWithJar(
      jar,
      `${app.adminUrl}/sign-in`,
      formBody({ ...hiddenInputs(await form.text()), email: "admin@harbor-it.example", password: TEST_PASSWORD }),
    );
    expect(res.headers.get("location")).toBe("/audit?surface=cavalier");
  });

  test("the sign-in form needs its CSRF token", async () => {
    const jar = new CookieJar();
    await fetchWithJar(jar, `${app.adminUrl}/sign-in`);
    const res = await fetchWithJar(
      jar,
      `${app.adminUrl}/sign-in`,
      formBody({ csrf: "forged", email: "admin@harbor-it.example", password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("cavaridge_admin="))).toBe(false);
  });

  test("pages redirect to sign-in without a session; the API answers 401 JSON", async () => {
    const page = await fetch(`${app.adminUrl}/audit?range=7d`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent("/audit?range=7d")}`);
    const api = await fetch(`${app.adminUrl}/api/mcp/connections`);
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: "unauthorized" });
  });

  test("a form post without the session's CSRF token is refused and changes nothing", async () => {
    const s = await signInAdmin(app, "admin@harbor-it.example");
    const res = await s.get("/tokens", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=evil",
    });
    expect(res.status).toBe(403);
    const crossOrigin = await s.get("/tokens", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://evil.example" },
      body: `name=evil&csrf=${s.csrf}`,
    });
    expect(crossOrigin.status).toBe(403);
    const n = await app.ctx.store.client.execute("SELECT count(*) AS n FROM admin_api_tokens WHERE name = 'evil'");
    expect(Number(n.rows[0]!.n)).toBe(0);
  });

  test("a Host that is not loopback is refused (DNS rebinding)", async () => {
    const res = await fetch(`${app.adminUrl}/sign-in`, { headers: { host: "attacker.example" } });
    expect(res.status).toBe(421);
  });

  test("sign-out ends the session server-side", async () => {
    const s = await signInAdmin(app, "owner@fabrikam-law.example");
    expect((await s.get("/api/mcp/servers")).status).toBe(200);
    const sid = s.jar.get("cavaridge_admin")!;
    const out = await s.post("/sign-out");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/sign-in");
    // Replaying the old cookie value is refused: the session is gone from the store, not just from the browser.
    const replay = await fetch(`${app.adminUrl}/api/mcp/servers`, { headers: { cookie: `cavaridge_admin=${sid}` } });
    expect(replay.status).toBe(401);
    expect((await auditRows(app, "action = 'admin.sign_out'")).length).toBe(1);
  });
});

describe("sign-in throttling", () => {
  let throttled: TestAppliance;
  beforeAll(async () => {
    throttled = await startTestAppliance({
      extraToml: "[oauth]\nlogin_max_failures = 3\nlogin_lockout_seconds = 60\n",
    });
  }, 60_000);
  afterAll(async () => {
    await throttled?.close();
  });

  test("after login_max_failures failures the account is locked (429 + Retry-After), even for the right password", async () => {
    const go = async (password: string) => {
      const jar = new CookieJar();
      const form = await fetchWithJar(jar, `${throttled.adminUrl}/sign-in`);
      return fetchWithJar(
        jar,
        `${throttled.adminUrl}/sign-in`,
        formBody({ ...hiddenInputs(await form.text()), email: "admin@otter-msp.example", password }),
      );
    };
    for (let i = 0; i < 3; i++) expect((await go("wrong")).status).toBe(401);
    const locked = await go(TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    await throttled.ctx.audit.flush();
    const r = await throttled.ctx.store.client.execute(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'admin.sign_in' AND outcome = 'locked'",
    );
    expect(Number(r.rows[0]!.n)).toBe(1);
  });
});

describe("session lifetime", () => {
  let timed: TestAppliance;
  let now = Date.now();
  beforeAll(async () => {
    timed = await startTestAppliance({ clock: () => now });
  }, 60_000);
  afterAll(async () => {
    await timed?.close();
  });

  test("a session slides while used, ends after 2 h idle, and never outlives 12 h", async () => {
    const s = await signInAdmin(timed, "admin@harbor-it.example");
    for (let i = 0; i < 6; i++) {
      now += 100 * 60_000; // 1 h 40 min between requests: under the idle limit each time
      expect((await s.get("/api/mcp/servers")).status).toBe(200);
    }
    now += 100 * 60_000; // 11 h 40 min after sign-in
    expect((await s.get("/api/mcp/servers")).status).toBe(200);
    now += 30 * 60_000; // 12 h 10 min: past the absolute limit although recently used
    expect((await s.get("/api/mcp/servers")).status).toBe(401);

    const idle = await signInAdmin(timed, "admin@harbor-it.example");
    now += 2 * 60 * 60_000 + 1000;
    expect((await idle.get("/api/mcp/servers")).status).toBe(401);
    const page = await idle.get("/connections");
    expect(page.status).toBe(303);
  });
});
