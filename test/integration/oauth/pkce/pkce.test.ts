import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import {
  authorizeViaForms,
  buildAuthorizeUrl,
  exchangeCode,
  pkcePair,
  registerTestClient,
  type TestClient,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
let client: TestClient;
beforeAll(async () => {
  app = await startTestAppliance();
  client = await registerTestClient(app);
});
afterAll(async () => {
  await app.close();
});

const errorOf = async (url: string) => {
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  const loc = new URL(res.headers.get("location")!);
  expect(loc.searchParams.get("iss")).toBe(app.config.server.public_url);
  return loc.searchParams.get("error");
};

describe("PKCE is S256 only (OAuth 2.1 §4.1.1, RFC 7636)", () => {
  test("missing code_challenge -> invalid_request", async () => {
    expect(await errorOf(buildAuthorizeUrl(app, client, { code_challenge: null }))).toBe("invalid_request");
  });
  test("plain -> invalid_request", async () => {
    expect(await errorOf(buildAuthorizeUrl(app, client, { code_challenge_method: "plain" }))).toBe("invalid_request");
  });
  test("missing code_challenge_method (RFC 7636 default plain) -> invalid_request", async () => {
    expect(await errorOf(buildAuthorizeUrl(app, client, { code_challenge_method: null }))).toBe("invalid_request");
  });
  test("unknown method -> invalid_request", async () => {
    expect(await errorOf(buildAuthorizeUrl(app, client, { code_challenge_method: "S512" }))).toBe("invalid_request");
  });

  test("a wrong or missing verifier is invalid_grant and does not burn the code", async () => {
    const pkce = pkcePair();
    const { location } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
      challenge: pkce.challenge,
    });
    const code = location.searchParams.get("code")!;
    const wrong = await exchangeCode(app, client, code, pkcePair().verifier);
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_grant");
    const missing = await fetch(`${app.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: client.redirect_uri,
        client_id: client.client_id,
      }),
    });
    expect(((await missing.json()) as { error: string }).error).toBe("invalid_grant");
    const right = await exchangeCode(app, client, code, pkce.verifier);
    expect(right.status).toBe(200);
  });
});
