import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import {
  authorizeViaForms,
  exchangeCode,
  formBody,
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
  app = await startTestAppliance({ clock: time.clock });
  client = await registerTestClient(app);
});
afterAll(async () => {
  await app.close();
});

async function codeFor(c: TestClient = client, scopes?: string[]) {
  const { location, verifier } = await authorizeViaForms(app, {
    client: c,
    email: "admin@harbor-it.example",
    surface: "cavalier",
    scopes,
  });
  return { code: location.searchParams.get("code")!, verifier };
}

const errorOf = async (res: Response) => {
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(res.headers.get("cache-control")).toContain("no-store");
  return ((await res.json()) as { error: string }).error;
};

describe("authorization_code grant", () => {
  test("returns a Bearer RFC 9068 access token and a refresh token without offline_access, not cached", async () => {
    const { code, verifier } = await codeFor(client, ["cavalier:read"]);
    const res = await exchangeCode(app, client, code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(app.config.oauth.access_token_ttl_seconds);
    expect(typeof body.refresh_token).toBe("string");
    expect(body.scope).toBe("cavalier:read");
    const header = decodeProtectedHeader(body.access_token as string);
    expect(header.typ).toBe("at+jwt");
    expect(header.alg).toBe("ES256");
    const claims = decodeJwt(body.access_token as string);
    expect(claims.iss).toBe(app.config.server.public_url);
    expect(claims.aud).toBe(`${app.config.server.public_url}/cavalier`);
    expect(claims.sub).toMatch(/^usr_/);
    expect(claims.client_id).toBe(client.client_id);
    expect(claims.scope).toBe("cavalier:read");
    expect(claims.tenant_id).toBe("harbor-it");
    expect(typeof claims.grant_id).toBe("string");
    expect(typeof claims.jti).toBe("string");
    expect(claims.exp! - claims.iat!).toBe(app.config.oauth.access_token_ttl_seconds);
  });

  test("a second exchange of a code is invalid_grant and revokes what the first one issued", async () => {
    const { code, verifier } = await codeFor();
    const first = (await (await exchangeCode(app, client, code, verifier)).json()) as {
      access_token: string;
      refresh_token: string;
    };
    await app.oauth.verifier.verify(first.access_token, "cavalier");
    const second = await exchangeCode(app, client, code, verifier);
    expect(second.status).toBe(400);
    expect(await errorOf(second)).toBe("invalid_grant");
    await expect(app.oauth.verifier.verify(first.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
    const refresh = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: client.client_id }),
    );
    expect(await errorOf(refresh)).toBe("invalid_grant");
  });

  test("a wrong redirect_uri is invalid_grant without consuming the code", async () => {
    const { code, verifier } = await codeFor();
    const wrong = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: client.client_id,
        redirect_uri: "http://127.0.0.1:9/other",
      }),
    );
    expect(await errorOf(wrong)).toBe("invalid_grant");
    expect((await exchangeCode(app, client, code, verifier)).status).toBe(200);
  });

  test("an expired code is invalid_grant", async () => {
    const { code, verifier } = await codeFor();
    time.advance((app.config.oauth.authorization_code_ttl_seconds + 1) * 1000);
    expect(await errorOf(await exchangeCode(app, client, code, verifier))).toBe("invalid_grant");
  });

  test("a code issued to another client is invalid_grant", async () => {
    const other = await registerTestClient(app);
    const { code, verifier } = await codeFor();
    expect(await errorOf(await exchangeCode(app, other, code, verifier))).toBe("invalid_grant");
  });

  test("the root alias /token works", async () => {
    const { code, verifier } = await codeFor();
    const res = await fetch(
      `${app.baseUrl}/token`,
      formBody({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: client.client_id,
        redirect_uri: client.redirect_uri,
      }),
    );
    expect(res.status).toBe(200);
  });
});

describe("client authentication at the token endpoint", () => {
  test("unknown client -> 401 invalid_client (JSON); no client at all -> 401 invalid_client", async () => {
    const res = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "authorization_code", code: "x", client_id: "cli_gone" }),
    );
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe("invalid_client");
    const none = await fetch(`${app.baseUrl}/oauth/token`, formBody({ grant_type: "authorization_code", code: "x" }));
    expect(none.status).toBe(401);
  });

  test("the registered token_endpoint_auth_method is enforced (E10)", async () => {
    // public client presenting a secret
    const pub = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "authorization_code", code: "x", client_id: client.client_id, client_secret: "s" }),
    );
    expect(pub.status).toBe(401);
    expect(await errorOf(pub)).toBe("invalid_client");

    const reg = await fetch(`${app.baseUrl}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        redirect_uris: ["http://127.0.0.1:9/callback"],
        token_endpoint_auth_method: "client_secret_basic",
      }),
    });
    const conf = (await reg.json()) as { client_id: string; client_secret: string };
    const confClient: TestClient = { client_id: conf.client_id, redirect_uri: "http://127.0.0.1:9/callback" };
    const { code, verifier } = await codeFor(confClient);
    const base = {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: confClient.redirect_uri,
    };
    const noSecret = await fetch(`${app.baseUrl}/oauth/token`, formBody({ ...base, client_id: conf.client_id }));
    expect(noSecret.status).toBe(401);
    const viaPost = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ ...base, client_id: conf.client_id, client_secret: conf.client_secret }),
    );
    expect(viaPost.status).toBe(401);
    const badSecret = await fetch(`${app.baseUrl}/oauth/token`, {
      ...formBody(base),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${conf.client_id}:wrong`)}`,
      },
    });
    expect(badSecret.status).toBe(401);
    const good = await fetch(`${app.baseUrl}/oauth/token`, {
      ...formBody(base),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${encodeURIComponent(conf.client_id)}:${encodeURIComponent(conf.client_secret)}`)}`,
      },
    });
    expect(good.status).toBe(200);
  });
});

describe("malformed token requests are RFC 6749 §5.2 JSON, never 500", () => {
  test("unsupported grant type, JSON body, repeated parameter", async () => {
    const unsupported = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "password", client_id: client.client_id }),
    );
    expect(await errorOf(unsupported)).toBe("unsupported_grant_type");
    const json = await fetch(`${app.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
    expect(await errorOf(json)).toBe("invalid_request");
    const repeated = await fetch(`${app.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=authorization_code&grant_type=refresh_token&client_id=${client.client_id}`,
    });
    expect(await errorOf(repeated)).toBe("invalid_request");
    const missingCode = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "authorization_code", client_id: client.client_id }),
    );
    expect(await errorOf(missingCode)).toBe("invalid_request");
  });
});

describe("atomic consumption under concurrency", () => {
  test("two simultaneous exchanges of one code: exactly one succeeds, and its grant is revoked by the replay", async () => {
    const { code, verifier } = await codeFor();
    const results = await Promise.all([
      exchangeCode(app, client, code, verifier),
      exchangeCode(app, client, code, verifier),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
    const ok = (await results.find((r) => r.status === 200)!.json()) as { access_token: string };
    const failed = (await results.find((r) => r.status === 400)!.json()) as { error: string };
    expect(failed.error).toBe("invalid_grant");
    await expect(app.oauth.verifier.verify(ok.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
  });

  test("two simultaneous refreshes with one token both succeed and both new refresh tokens stay usable", async () => {
    const { code, verifier } = await codeFor();
    const first = (await (await exchangeCode(app, client, code, verifier)).json()) as { refresh_token: string };
    const refresh = () =>
      fetch(
        `${app.baseUrl}/oauth/token`,
        formBody({ grant_type: "refresh_token", refresh_token: first.refresh_token, client_id: client.client_id }),
      );
    const [a, b] = await Promise.all([refresh(), refresh()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const tokens = [
      (await a.json()) as { access_token: string; refresh_token: string },
      (await b.json()) as { access_token: string; refresh_token: string },
    ];
    for (const t of tokens) await app.oauth.verifier.verify(t.access_token, "cavalier");
    // Whichever answer the client kept, its refresh token works next time.
    const next = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "refresh_token", refresh_token: tokens[0]!.refresh_token, client_id: client.client_id }),
    );
    expect(next.status).toBe(200);
  });
});
