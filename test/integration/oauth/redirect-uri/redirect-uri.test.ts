import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import {
  authorizeViaForms,
  buildAuthorizeUrl,
  exchangeCode,
  registerTestClient,
  type TestClient,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
let loopback: TestClient;
beforeAll(async () => {
  app = await startTestAppliance();
  loopback = await registerTestClient(app, {
    redirect_uris: ["http://localhost/callback"],
    application_type: "native",
  });
});
afterAll(async () => {
  await app.close();
});

describe("redirect URI matching at the authorization endpoint", () => {
  test("a loopback redirect may use any port (RFC 8252 §7.3), and the code exchange needs that exact URI", async () => {
    const client = { ...loopback, redirect_uri: "http://localhost:53123/callback" };
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });
    expect(location.href.startsWith("http://localhost:53123/callback?")).toBe(true);
    const code = location.searchParams.get("code")!;
    const wrongPort = await exchangeCode(
      app,
      { ...client, redirect_uri: "http://localhost:1/callback" },
      code,
      verifier,
    );
    expect(((await wrongPort.json()) as { error: string }).error).toBe("invalid_grant");
    expect((await exchangeCode(app, client, code, verifier)).status).toBe(200);
  });

  test("look-alike hosts, other paths and schemes are rendered locally, never redirected", async () => {
    for (const uri of [
      "http://localhost.evil.com:53123/callback",
      "http://127.0.0.1:53123/callback",
      "https://localhost:53123/callback",
      "http://localhost:53123/callback/../x",
      "http://localhost:53123/Callback",
    ]) {
      const res = await fetch(buildAuthorizeUrl(app, loopback, { redirect_uri: uri }), { redirect: "manual" });
      expect({ uri, status: res.status, location: res.headers.get("location") }).toEqual({
        uri,
        status: 400,
        location: null,
      });
    }
  });

  test("redirect_uri may be omitted only when exactly one is registered", async () => {
    const res = await fetch(buildAuthorizeUrl(app, loopback, { redirect_uri: null }), { redirect: "manual" });
    expect(res.status).toBe(200);
    const two = await registerTestClient(app, { redirect_uris: ["https://a.example/cb", "https://a.example/cb2"] });
    const res2 = await fetch(buildAuthorizeUrl(app, two, { redirect_uri: null }), { redirect: "manual" });
    expect(res2.status).toBe(400);
    expect(res2.headers.get("location")).toBeNull();
  });
});
