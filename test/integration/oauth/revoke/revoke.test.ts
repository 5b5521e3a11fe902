import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../../../../src/store/schema/audit";
import { oauthGrants } from "../../../../src/store/schema/oauth";
import { revokeGrant } from "../../../../src/oauth/bearer";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { formBody, obtainTokens, refreshTokens, registerTestClient } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

const revoke = (fields: Record<string, string>, path = "/oauth/revoke") =>
  fetch(`${app.baseUrl}${path}`, formBody(fields));

describe("token revocation (RFC 7009)", () => {
  test("revoking a refresh token revokes the grant: access token refused, refresh refused, audited", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    const res = await revoke({ token: t.refresh_token, token_type_hint: "refresh_token", client_id: t.client_id });
    expect(res.status).toBe(200);
    await expect(app.oauth.verifier.verify(t.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
    expect(((await (await refreshTokens(app, t.client_id, t.refresh_token)).json()) as { error: string }).error).toBe(
      "invalid_grant",
    );
    await app.ctx.audit.flush();
    const rows = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.grantId, t.grant_id), eq(auditLog.action, "oauth.grant.revoke")));
    expect(rows.length).toBe(1);
    expect(JSON.stringify(rows)).not.toContain(t.refresh_token);
  });

  test("revoking an access token revokes its grant (root alias /revoke)", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    expect((await revoke({ token: t.access_token, client_id: t.client_id }, "/revoke")).status).toBe(200);
    await expect(app.oauth.verifier.verify(t.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
  });

  test("a client cannot revoke another client's tokens: 200, no effect", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    const other = await registerTestClient(app);
    expect((await revoke({ token: t.refresh_token, client_id: other.client_id })).status).toBe(200);
    expect((await revoke({ token: t.access_token, client_id: other.client_id })).status).toBe(200);
    expect((await app.oauth.verifier.verify(t.access_token, "cavalier")).grantId).toBe(t.grant_id);
  });

  test("unknown tokens answer 200; unknown clients 401 invalid_client; missing token invalid_request", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    expect((await revoke({ token: "nope", client_id: t.client_id })).status).toBe(200);
    const unknown = await revoke({ token: "nope", client_id: "cli_gone" });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: string }).error).toBe("invalid_client");
    const missing = await revoke({ client_id: t.client_id });
    expect(((await missing.json()) as { error: string }).error).toBe("invalid_request");
  });

  test("revokeGrant (admin path) is immediate and idempotent, and records who and why", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "aegis" });
    expect(await revokeGrant(app.ctx, t.grant_id, { actor: "admin", userId: "usr_x", reason: "lost laptop" })).toBe(
      true,
    );
    expect(await revokeGrant(app.ctx, t.grant_id, { actor: "admin", userId: "usr_x", reason: "again" })).toBe(false);
    await expect(app.oauth.verifier.verify(t.access_token, "aegis")).rejects.toMatchObject({
      code: "invalid_token",
    });
    const [g] = await app.ctx.store.db.select().from(oauthGrants).where(eq(oauthGrants.id, t.grant_id));
    expect(g!.revokedReason).toBe("lost laptop");
  });
});

describe("grant queries for the admin page", () => {
  test("listGrants and findGrant see only grants in the caller's tenant scope", async () => {
    const { findGrant, listGrants } = await import("../../../../src/oauth/grants");
    const { TenantScope } = await import("../../../../src/tenancy/scope");
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "forge" });
    const harbor = new TenantScope({ userId: "u", role: "msp_admin", tenantId: "harbor-it" }, [
      "harbor-it",
      "contosocare",
      "fabrikam-law",
      "tailspin-logistics",
    ]);
    const otter = new TenantScope({ userId: "u", role: "msp_admin", tenantId: "otter-msp" }, [
      "otter-msp",
      "otter-client",
    ]);
    expect((await findGrant(app.ctx.store.db, harbor, t.grant_id))?.userEmail).toBe("owner@fabrikam-law.example");
    expect(await findGrant(app.ctx.store.db, otter, t.grant_id)).toBeNull();
    expect((await listGrants(app.ctx.store.db, harbor)).some((g) => g.id === t.grant_id)).toBe(true);
    expect((await listGrants(app.ctx.store.db, otter)).some((g) => g.id === t.grant_id)).toBe(false);
  });
});
