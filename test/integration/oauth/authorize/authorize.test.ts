import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../../../helpers/appliance";
import {
  authorizeViaForms,
  buildAuthorizeUrl,
  CookieJar,
  fetchWithJar,
  formBody,
  hiddenInputs,
  registerTestClient,
  type TestClient,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
let client: TestClient;
beforeAll(async () => {
  app = await startTestAppliance();
  client = await registerTestClient(app, {
    client_name: "Acme <Agent>",
    redirect_uris: ["https://agent.example/cb", "https://agent.example/other"],
  });
});
afterAll(async () => {
  await app.close();
});

const get = (url: string) => fetch(url, { redirect: "manual" });

describe("errors before the client and redirect URI are validated are rendered locally (D1)", () => {
  test("unknown client_id: 400 HTML, no Location", async () => {
    const res = await get(buildAuthorizeUrl(app, { ...client, client_id: "cli_unknown" }));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
  });

  test("missing client_id and duplicated client_id are local errors", async () => {
    expect((await get(buildAuthorizeUrl(app, client, { client_id: null }))).status).toBe(400);
    const dup = `${buildAuthorizeUrl(app, client)}&client_id=${client.client_id}`;
    const res = await get(dup);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  test("an unregistered redirect_uri is never redirected to", async () => {
    for (const uri of [
      "https://evil.example/cb",
      "https://agent.example/cb/",
      "https://agent.example/cb?x=1",
      "https://agent.example/cb#f",
      "javascript:alert(1)",
    ]) {
      const res = await get(buildAuthorizeUrl(app, client, { redirect_uri: uri }));
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });

  test("a bad request with an unknown client never redirects even if response_type is wrong", async () => {
    const res = await get(buildAuthorizeUrl(app, { ...client, client_id: "cli_nope" }, { response_type: "token" }));
    expect(res.headers.get("location")).toBeNull();
  });
});

describe("errors after validation redirect with state and iss (RFC 6749 §4.1.2.1, RFC 9207)", () => {
  test("unsupported response_type -> unsupported_response_type with state and iss", async () => {
    const res = await get(buildAuthorizeUrl(app, client, { response_type: "token" }));
    expect(res.status).toBe(302);
    const loc = new URL(res.headers.get("location")!);
    expect(loc.origin + loc.pathname).toBe("https://agent.example/cb");
    expect(loc.searchParams.get("error")).toBe("unsupported_response_type");
    expect(loc.searchParams.get("state")).toBe("st-123");
    expect(loc.searchParams.getAll("iss")).toEqual([app.config.server.public_url]);
  });

  test("unknown scope -> invalid_scope", async () => {
    const res = await get(buildAuthorizeUrl(app, client, { scope: "cavalier:read admin:everything" }));
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("invalid_scope");
  });
});

describe("sign-in and consent pages", () => {
  test("sign-in page: anti-framing headers, CSRF cookie HttpOnly SameSite=Lax, no-store", async () => {
    const res = await get(buildAuthorizeUrl(app, client));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const cookie = res.headers.getSetCookie().join("\n");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure"); // public_url is http in tests
    const html = await res.text();
    expect(html).toContain("Acme &lt;Agent&gt;");
    expect(html).not.toContain("Acme <Agent>");
  });

  test("sign-in POST without the CSRF token is 403", async () => {
    const jar = new CookieJar();
    const page = await fetchWithJar(jar, buildAuthorizeUrl(app, client));
    const fields = hiddenInputs(await page.text());
    delete fields.csrf_token;
    const res = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...fields, email: "admin@harbor-it.example", password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(403);
  });

  async function consentFor(jar: CookieJar, url = buildAuthorizeUrl(app, client)) {
    let res = await fetchWithJar(jar, url);
    const fields = hiddenInputs(await res.text());
    res = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...fields, email: "admin@harbor-it.example", password: TEST_PASSWORD }),
    );
    expect(res.status).toBe(303);
    const session = res.headers.getSetCookie().find((c) => c.startsWith("cavaridge_session="))!;
    expect(session).toContain("HttpOnly");
    expect(session).toContain("SameSite=Lax");
    res = await fetchWithJar(jar, res.headers.get("location")!);
    return res;
  }

  test("consent page names the client (flagged self-asserted), redirect host, surface and each scope in words", async () => {
    const res = await consentFor(new CookieJar());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    expect(html).toContain("Acme &lt;Agent&gt;");
    expect(html).toContain("not verified");
    expect(html).toContain("agent.example");
    expect(html).toContain(`${app.config.server.public_url}/cavalier`);
    expect(html).toContain("Read your quotes");
    expect(html).toContain("Create and change");
    expect(html).toContain('value="allow"');
    expect(html).toContain('value="deny"');
  });

  test("a loopback-only client is warned about", async () => {
    const loop = await registerTestClient(app, { redirect_uris: ["http://localhost/callback"] });
    const jar = new CookieJar();
    const res = await consentFor(
      jar,
      buildAuthorizeUrl(app, loop, { redirect_uri: "http://localhost:53123/callback" }),
    );
    const html = await res.text();
    expect(html).toContain("localhost:53123");
    expect(html).toContain("on your own computer");
  });

  test("consent POST with an altered redirect_uri is refused, and without CSRF is 403", async () => {
    const jar = new CookieJar();
    const page = await consentFor(jar);
    const fields = hiddenInputs(await page.text());
    const altered = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/consent`,
      formBody({ ...fields, redirect_uri: "https://agent.example/other", decision: "allow" }),
    );
    expect(altered.status).toBe(403);
    expect(altered.headers.get("location")).toBeNull();
    const foreign = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/consent`,
      formBody({ ...fields, redirect_uri: "https://evil.example/cb", decision: "allow" }),
    );
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get("location")).toBeNull();
    const { csrf_token: _drop, ...noCsrf } = fields;
    const forged = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/consent`,
      formBody({ ...noCsrf, decision: "allow" }),
    );
    expect(forged.status).toBe(403);
    const ok = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/consent`,
      formBody({ ...fields, decision: "allow" }),
    );
    expect(ok.status).toBe(303);
  });

  test("Allow redirects with code, state and one iss; Deny with access_denied", async () => {
    const { location } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
      state: "keep-me",
    });
    expect(location.searchParams.get("code")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe("keep-me");
    expect(location.searchParams.getAll("iss")).toEqual([app.config.server.public_url]);
    const denied = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
      state: "s2",
      decision: "deny",
    });
    expect(denied.location.searchParams.get("error")).toBe("access_denied");
    expect(denied.location.searchParams.get("state")).toBe("s2");
    expect(denied.location.searchParams.get("iss")).toBe(app.config.server.public_url);
    expect(denied.location.searchParams.get("code")).toBeNull();
  });

  test("a signed-in user still sees consent for a new client (no silent approval, D9)", async () => {
    const jar = new CookieJar();
    await authorizeViaForms(app, { client, email: "admin@harbor-it.example", surface: "cavalier", jar });
    const other = await registerTestClient(app, { client_name: "Other" });
    const res = await fetchWithJar(jar, buildAuthorizeUrl(app, other));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('action="/oauth/authorize/consent"');
    expect(html).toContain("Other");
  });

  test("a wrong password re-renders the form with 401 and grants nothing", async () => {
    const jar = new CookieJar();
    const page = await fetchWithJar(jar, buildAuthorizeUrl(app, client));
    const res = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...hiddenInputs(await page.text()), email: "owner@fabrikam-law.example", password: "wrong-password" }),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("not correct");
  });

  test("the root alias /authorize serves the same flow", async () => {
    const res = await get(buildAuthorizeUrl(app, client).replace("/oauth/authorize", "/authorize"));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('action="/oauth/authorize/sign-in"');
  });
});
