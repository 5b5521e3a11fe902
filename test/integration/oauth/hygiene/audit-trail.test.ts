import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { auditLog } from "../../../../src/store/schema/audit";
import { userIdForEmail } from "../../../../src/tenancy/sync";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../../../helpers/appliance";
import { authorizeViaForms, exchangeCode, refreshTokens, registerTestClient } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

/** Issue 3: every grant, token refresh, consent, registration and sign-in is audited, never with a secret. */
describe("audit trail of an OAuth flow", () => {
  test("registration, sign-in, consent, grant creation and refresh each leave a row; no secret in any detail", async () => {
    const client = await registerTestClient(app, { client_name: "Audit Trail Client" });
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "forge",
      scopes: ["forge:read", "offline_access"],
    });
    const code = location.searchParams.get("code")!;
    const tokens = (await (await exchangeCode(app, client, code, verifier)).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const refreshed = (await (await refreshTokens(app, client.client_id, tokens.refresh_token)).json()) as {
      access_token: string;
      refresh_token: string;
    };
    expect(refreshed.refresh_token).toBeTruthy();
    const grantId = decodeJwt(tokens.access_token).grant_id as string;
    await app.ctx.audit.flush();

    const rows = await app.ctx.store.db.select().from(auditLog).where(eq(auditLog.clientId, client.client_id));
    const byAction = (action: string) => rows.filter((r) => r.action === action);
    const userId = userIdForEmail("admin@harbor-it.example");

    expect(byAction("oauth.client.register").map((r) => r.outcome)).toEqual(["ok"]);
    expect(byAction("oauth.sign_in").map((r) => [r.outcome, r.userId])).toEqual([["ok", userId]]);
    const consent = byAction("oauth.consent");
    expect(consent.map((r) => [r.outcome, r.userId, r.tenantId, r.surface])).toEqual([
      ["ok", userId, "harbor-it", "forge"],
    ]);
    expect(JSON.parse(consent[0]!.detail!)).toMatchObject({ scopes: ["forge:read"], redirect_host: "127.0.0.1:9" });
    const grant = byAction("oauth.grant.create");
    expect(grant.map((r) => [r.outcome, r.grantId, r.userId, r.tenantId, r.surface])).toEqual([
      ["ok", grantId, userId, "harbor-it", "forge"],
    ]);
    expect(JSON.parse(grant[0]!.detail!)).toEqual({ scopes: ["forge:read"] });
    const refresh = byAction("oauth.token.refresh");
    expect(refresh.map((r) => [r.outcome, r.grantId, r.userId])).toEqual([["ok", grantId, userId]]);
    expect(JSON.parse(refresh[0]!.detail!)).toEqual({ scopes: ["forge:read"] });

    const secrets = {
      code,
      verifier,
      password: TEST_PASSWORD,
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      refreshed_access: refreshed.access_token,
      refreshed_refresh: refreshed.refresh_token,
    };
    const everything = JSON.stringify(rows);
    for (const [name, value] of Object.entries(secrets))
      expect({ name, inAudit: everything.includes(value) }).toEqual({ name, inAudit: false });
    // Not a hash or a fragment of one either: no detail carries a long random-looking string.
    for (const r of rows)
      expect({ action: r.action, random: /[A-Za-z0-9_-]{32,}/.test(r.detail ?? "") }).toEqual({
        action: r.action,
        random: false,
      });
  });
});
