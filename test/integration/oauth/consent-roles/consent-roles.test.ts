import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { and, eq } from "drizzle-orm";
import {
  ApprovalError,
  approveClientForTenant,
  listClients,
  listGrants,
  revokeGrantsOfDisabledPrincipals,
} from "../../../../src/oauth/grants";
import { auditLog } from "../../../../src/store/schema/audit";
import { oauthCodes, oauthGrants } from "../../../../src/store/schema/oauth";
import { syncConfigToStore, userIdForEmail } from "../../../../src/tenancy/sync";
import { TenantScope } from "../../../../src/tenancy/scope";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../../../helpers/appliance";
import {
  approveForUser,
  buildAuthorizeUrl,
  CookieJar,
  fetchWithJar,
  formBody,
  hiddenInputs,
  obtainTokens,
  registerTestClient,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

/** Signs in as `email` and returns the page shown where consent would be. */
async function consentPageAs(email: string, clientId: string, redirect = "http://127.0.0.1:9/callback") {
  const jar = new CookieJar();
  const client = { client_id: clientId, redirect_uri: redirect };
  const page = await fetchWithJar(jar, buildAuthorizeUrl(app, client));
  const signed = await fetchWithJar(
    jar,
    `${app.baseUrl}/oauth/authorize/sign-in`,
    formBody({ ...hiddenInputs(await page.text()), email, password: TEST_PASSWORD }),
  );
  expect(signed.status).toBe(303);
  const res = await fetchWithJar(jar, signed.headers.get("location")!);
  return { res, html: await res.text(), jar };
}

describe("what the consent page tells the user", () => {
  test("it says in plain words that the connection stays signed in until revoked (a refresh token is always issued)", async () => {
    const client = await registerTestClient(app, { client_name: "Long-lived Agent" });
    const { res, html } = await consentPageAs("admin@harbor-it.example", client.client_id);
    expect(res.status).toBe(200);
    expect(html).toContain('value="allow"');
    expect(html).toContain("stays signed in until you revoke it");
    expect(html).toContain(`unused for ${Math.round(app.config.oauth.refresh_token_ttl_seconds / 86400)} days`);
    // And the promise holds: the exchange returns a refresh token although offline_access was not requested.
    const t = await obtainTokens(app, {
      email: "admin@harbor-it.example",
      surface: "cavalier",
      client,
      scopes: ["cavalier:read"],
    });
    expect(t.refresh_token).toBeTruthy();
  });
});

describe("who may consent", () => {
  test("a technician cannot be the first to approve a client: the page says why and nothing is granted", async () => {
    const client = await registerTestClient(app, { client_name: "Fresh Agent" });
    const { res, html } = await consentPageAs("tech@harbor-it.example", client.client_id);
    expect(res.status).toBe(403);
    expect(html).toContain("must approve");
    expect(html).toContain(client.client_id);
    expect(html).not.toContain('value="allow"');
    const codes = await app.ctx.store.db.select().from(oauthCodes).where(eq(oauthCodes.clientId, client.client_id));
    expect(codes.length).toBe(0);
    await expect(
      obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier", approve: false, client }),
    ).rejects.toThrow();
    // Approved meanwhile (admin page): reloading the same authorization request now shows the consent form.
    await approveForUser(app, client.client_id, "tech@harbor-it.example");
    const t = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier", approve: false, client });
    expect((await app.oauth.verifier.verify(t.access_token, "cavalier")).role).toBe("technician");
  });

  test("once an MSP admin consented, a technician of that tenant may consent too", async () => {
    const client = await registerTestClient(app, { client_name: "Team Agent" });
    await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier", client });
    const t = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier", client, approve: false });
    const access = await app.oauth.verifier.verify(t.access_token, "cavalier");
    expect(access.role).toBe("technician");
    expect(access.tenantId).toBe("harbor-it");
    // ...but the approval was for harbor-it only: a technician of a client tenant still needs one.
    const { res } = await consentPageAs("staff@contosocare.example", client.client_id);
    expect(res.status).toBe(403);
  });

  test("approveClientForTenant: admins approve tenants in their scope; technicians cannot approve", async () => {
    const client = await registerTestClient(app, { client_name: "Clinic Agent" });
    const admin = {
      userId: userIdForEmail("admin@harbor-it.example"),
      role: "msp_admin" as const,
      tenantId: "harbor-it",
    };
    const adminScope = new TenantScope(admin, ["harbor-it", "contosocare", "fabrikam-law", "tailspin-logistics"]);
    const tech = {
      userId: userIdForEmail("tech@harbor-it.example"),
      role: "technician" as const,
      tenantId: "harbor-it",
    };
    await expect(
      approveClientForTenant(app.ctx, {
        clientId: client.client_id,
        tenantId: "contosocare",
        approver: tech,
        scope: new TenantScope(tech, ["harbor-it", "contosocare"]),
      }),
    ).rejects.toBeInstanceOf(ApprovalError);
    await expect(
      approveClientForTenant(app.ctx, {
        clientId: client.client_id,
        tenantId: "otter-client",
        approver: admin,
        scope: adminScope,
      }),
    ).rejects.toMatchObject({ code: "out_of_scope" });
    expect(
      await approveClientForTenant(app.ctx, {
        clientId: client.client_id,
        tenantId: "contosocare",
        approver: admin,
        scope: adminScope,
      }),
    ).toBe(true);
    expect(
      await approveClientForTenant(app.ctx, {
        clientId: client.client_id,
        tenantId: "contosocare",
        approver: admin,
        scope: adminScope,
      }),
    ).toBe(false);
    const t = await obtainTokens(app, { email: "staff@contosocare.example", surface: "aegis", client, approve: false });
    expect((await app.oauth.verifier.verify(t.access_token, "aegis")).tenantId).toBe("contosocare");
    const clients = await listClients(app.ctx.store.db, adminScope);
    expect(clients.find((c) => c.id === client.client_id)!.approvedTenantIds).toEqual(["contosocare"]);
  });

  test("consent given and denied are audited", async () => {
    await app.ctx.audit.flush();
    const rows = await app.ctx.store.db.select().from(auditLog).where(eq(auditLog.action, "oauth.consent"));
    expect(rows.some((r) => r.outcome === "ok")).toBe(true);
    const client = await registerTestClient(app);
    const { html, jar } = await consentPageAs("owner@fabrikam-law.example", client.client_id);
    await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/consent`,
      formBody({ ...hiddenInputs(html), decision: "deny" }),
    );
    await app.ctx.audit.flush();
    const denied = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "oauth.consent"), eq(auditLog.clientId, client.client_id)));
    expect(denied.map((r) => r.outcome)).toEqual(["denied"]);
  });
});

describe("disabled users", () => {
  test("a user disabled by config loses access at once, and their grants are revoked at start", async () => {
    const t = await obtainTokens(app, { email: "admin@otter-msp.example", surface: "forge" });
    const disabledConfig = {
      ...app.config,
      users: app.config.users.map((u) => (u.email === "admin@otter-msp.example" ? { ...u, disabled: true } : u)),
    };
    await syncConfigToStore(app.ctx.store, disabledConfig, app.ctx.clock);
    await expect(app.oauth.verifier.verify(t.access_token, "forge")).rejects.toMatchObject({
      code: "invalid_token",
    });
    const refreshed = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: t.client_id }),
    );
    expect(((await refreshed.json()) as { error: string }).error).toBe("invalid_grant");
    expect(await revokeGrantsOfDisabledPrincipals(app.ctx)).toBeGreaterThanOrEqual(1);
    const [g] = await app.ctx.store.db.select().from(oauthGrants).where(eq(oauthGrants.id, t.grant_id));
    expect(g!.revokedReason).toBe("user_or_tenant_disabled");
    const platform = {
      userId: userIdForEmail("platform@harbor-it.example"),
      role: "platform_admin" as const,
      tenantId: "harbor-it",
    };
    const listed = await listGrants(app.ctx.store.db, new TenantScope(platform, ["otter-msp"]));
    expect(listed.find((x) => x.id === t.grant_id)!.revokedAt).not.toBeNull();
    await syncConfigToStore(app.ctx.store, app.config, app.ctx.clock);
  });
});

describe("disabled users at start", () => {
  test("starting with a user disabled in the config revokes that user's grants (onStart)", async () => {
    const t = await obtainTokens(app, { email: "tech@otter-msp.example", surface: "aegis" });
    const { startAppliance } = await import("../../../../src/appliance");
    const { silentLogger } = await import("../../../../src/shared/log");
    const config = {
      ...app.config,
      server: { ...app.config.server, listen: "127.0.0.1:0" },
      admin: { ...app.config.admin, enabled: false },
      users: app.config.users.map((u) => (u.email === "tech@otter-msp.example" ? { ...u, disabled: true } : u)),
    };
    const second = await startAppliance({ config, env: {}, log: silentLogger });
    try {
      const [g] = await second.ctx.store.db.select().from(oauthGrants).where(eq(oauthGrants.id, t.grant_id));
      expect(g!.revokedAt).not.toBeNull();
      await expect(app.oauth.verifier.verify(t.access_token, "aegis")).rejects.toMatchObject({
        code: "invalid_token",
      });
    } finally {
      await second.stop();
    }
    await syncConfigToStore(app.ctx.store, app.config, app.ctx.clock);
  });
});
