import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createLogger } from "../../../../src/shared/log";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../../../helpers/appliance";
import { authorizeViaForms, exchangeCode, refreshTokens, registerTestClient } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

const lines: string[] = [];
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance({ log: createLogger("debug", {}, (l) => lines.push(l)) });
});
afterAll(async () => {
  await app.close();
});

describe("no secret in logs, audit or database (docs/mcp-client-compat.md H3/H4)", () => {
  test("after a full flow with a confidential client, no code, token, secret or password appears anywhere", async () => {
    const reg = await fetch(`${app.baseUrl}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        redirect_uris: ["http://127.0.0.1:9/callback"],
        token_endpoint_auth_method: "client_secret_post",
      }),
    });
    const { client_id, client_secret } = (await reg.json()) as { client_id: string; client_secret: string };
    const client = { client_id, redirect_uri: "http://127.0.0.1:9/callback" };
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });
    const code = location.searchParams.get("code")!;
    const tokens = (await (await exchangeCode(app, client, code, verifier, { client_secret })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const refreshed = (await (await refreshTokens(app, client_id, tokens.refresh_token, { client_secret })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    expect(refreshed.access_token).toBeTruthy();
    await registerTestClient(app);
    await app.ctx.audit.flush();

    const secrets = {
      code,
      verifier,
      client_secret,
      password: TEST_PASSWORD,
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      refreshed_access: refreshed.access_token,
      refreshed_refresh: refreshed.refresh_token,
    };
    const logs = lines.join("\n");
    expect(lines.length).toBeGreaterThan(5);
    const tables = [
      "oauth_clients",
      "oauth_codes",
      "oauth_grants",
      "oauth_refresh_tokens",
      "oauth_sessions",
      "oauth_signing_keys",
      "audit_log",
    ];
    const dump = (await Promise.all(tables.map((t) => app.ctx.store.client.execute(`SELECT * FROM ${t}`))))
      .map((r) => JSON.stringify(r.rows))
      .join("\n");
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, inLogs: logs.includes(value), inDb: dump.includes(value) }).toEqual({
        name,
        inLogs: false,
        inDb: false,
      });
    }
  });
});
