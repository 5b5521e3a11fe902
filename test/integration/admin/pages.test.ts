import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { userIdForEmail } from "../../../src/tenancy/sync";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens, registerTestClient, type TestClient, type Tokens } from "../../helpers/oauth";
import { auditRows, mcpCall, signInAdmin, type AdminSession } from "./admin-session";

/** The HTML pages and their form actions over real HTTP, with the same tenant scoping as the API. */
let app: TestAppliance;
let harbor: AdminSession;
let otter: AdminSession;
let platform: AdminSession;
let contoso: Tokens; // staff@contosocare (technician, harbor-it client) on aegis
let fresh: TestClient; // registered, never approved or used
let harborRowId: string;

beforeAll(async () => {
  app = await startTestAppliance();
  contoso = await obtainTokens(app, { email: "staff@contosocare.example", surface: "aegis" });
  fresh = await registerTestClient(app, { client_name: "Fresh Client" });
  harbor = await signInAdmin(app, "admin@harbor-it.example");
  otter = await signInAdmin(app, "admin@otter-msp.example");
  platform = await signInAdmin(app, "platform@harbor-it.example");
  harborRowId = await app.ctx.audit.record({
    kind: "mcp",
    surface: "aegis",
    tool: "aegis.list_findings",
    action: "aegis.list_findings",
    outcome: "confirmation_required",
    tenantId: "contosocare",
    userId: userIdForEmail("staff@contosocare.example"),
    detail: { tenant_id: "contosocare", api_key: "sk-live-123" },
  });
  await app.ctx.audit.record({
    kind: "mcp",
    surface: "aegis",
    tool: "aegis.list_findings",
    action: "aegis.list_findings",
    outcome: "confirmed",
    tenantId: "contosocare",
    confirmsId: harborRowId,
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe("pages", () => {
  test("every page renders for a signed-in admin with security headers", async () => {
    for (const path of ["/connections", "/audit", "/servers", "/tenants", "/tokens"]) {
      const res = await harbor.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = await res.text();
      expect(body).toContain('<link rel="stylesheet" href="/assets/admin.css">');
    }
    const css = await fetch(`${app.adminUrl}/assets/admin.css`);
    expect(css.headers.get("content-type")).toStartWith("text/css");
    expect((await css.text()).length).toBeGreaterThan(1000);
  });

  test("the audit page shows the chain status and a chart; otter's admin sees none of harbor's rows", async () => {
    const h = await (await harbor.get("/audit?kind=mcp")).text();
    expect(h).toContain("Chain intact");
    expect(h).toContain('<figure class="chart"><svg');
    expect(h).toContain(`/audit/${harborRowId}`);
    const o = await (await otter.get("/audit?kind=mcp")).text();
    expect(o).not.toContain(harborRowId);
  });

  test("a row's detail shows redacted arguments and links the confirming call; another MSP gets not found", async () => {
    const res = await harbor.get(`/audit/${harborRowId}`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("[redacted]");
    expect(body).not.toContain("sk-live-123");
    expect(body).toContain("Confirmed by");
    const denied = await otter.get(`/audit/${harborRowId}`);
    expect(denied.status).toBe(404);
    expect(await denied.text()).toContain("not found or not permitted");
  });

  test("naming another MSP's tenant in the audit filters is refused and audited; bad filters are a 400 page", async () => {
    const res = await otter.get("/audit?tenant=contosocare");
    expect(res.status).toBe(404);
    expect((await auditRows(app, "action = 'admin.audit.query' AND outcome = 'denied_cross_tenant'")).length).toBe(1);
    expect((await harbor.get("/audit?cursor=nope")).status).toBe(400);
    expect((await harbor.get("/audit?range=forever")).status).toBe(400);
  });

  test("the connections page lists harbor's grant for harbor only", async () => {
    expect(await (await harbor.get("/connections")).text()).toContain(`data-grant="${contoso.grant_id}"`);
    expect(await (await otter.get("/connections")).text()).not.toContain(contoso.grant_id);
  });
});

describe("connection and client actions from the page", () => {
  test("otter's admin posting harbor's revoke form is refused, audited, and nothing changes", async () => {
    const res = await otter.post(`/connections/${contoso.grant_id}/revoke`);
    expect(res.status).toBe(404);
    expect(
      (await auditRows(app, "action = 'admin.connection.revoke' AND outcome = 'denied_cross_tenant'")).length,
    ).toBe(1);
    expect((await mcpCall(app, "aegis", contoso.access_token, "tools/list")).status).toBe(200);
  });

  test("approving a client for a tenant outside the scope is refused and audited; inside it works", async () => {
    const refused = await otter.post(`/clients/${fresh.client_id}/approve`, { tenant: "contosocare" });
    expect(refused.status).toBe(404);
    expect((await auditRows(app, "action = 'admin.client.approve' AND outcome = 'denied_cross_tenant'")).length).toBe(
      1,
    );
    const ok = await harbor.post(`/clients/${fresh.client_id}/approve`, { tenant: "tailspin-logistics" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/connections?notice=approved");
    const approvals = await app.ctx.store.client.execute({
      sql: "SELECT tenant_id FROM oauth_client_approvals WHERE client_id = ?",
      args: [fresh.client_id],
    });
    expect(approvals.rows.map((r) => r.tenant_id)).toEqual(["tailspin-logistics"]);
    expect(await (await harbor.get("/connections?notice=approved")).text()).toContain(
      "Client approved for the tenant.",
    );
  });

  test("a CIMD client (an https URL as client_id) is approved through its URL-encoded id", async () => {
    const id = "https://claude.ai/oauth/mcp-client-metadata.json";
    // A fetched Client ID Metadata Document as the OAuth feature stores it (fetching is that feature's test).
    await app.ctx.store.client.execute({
      sql: "INSERT INTO oauth_clients (id, source, name, redirect_uris, token_endpoint_auth_method, metadata, created_at) VALUES (?, 'cimd', 'Claude', ?, 'none', '{}', ?)",
      args: [id, JSON.stringify(["https://claude.ai/api/mcp/auth_callback"]), Date.now()],
    });
    // Unattached, it is listed to a platform admin only (clients.test.ts); an MSP admin approves it by its id.
    expect(await (await platform.get("/connections")).text()).toContain(
      `action="/clients/${encodeURIComponent(id)}/approve"`,
    );
    const res = await harbor.post(`/clients/${encodeURIComponent(id)}/approve`, { tenant: "contosocare" });
    expect(res.status).toBe(303);
    const approvals = await app.ctx.store.client.execute({
      sql: "SELECT tenant_id FROM oauth_client_approvals WHERE client_id = ?",
      args: [id],
    });
    expect(approvals.rows.map((r) => r.tenant_id)).toEqual(["contosocare"]);
  });

  test("a client used only by harbor cannot be deleted by otter's admin (reads as not found, audited)", async () => {
    const res = await otter.post(`/clients/${contoso.client_id}/delete`);
    expect(res.status).toBe(404);
    expect((await auditRows(app, "action = 'admin.client.delete' AND outcome = 'denied_cross_tenant'")).length).toBe(1);
    expect((await mcpCall(app, "aegis", contoso.access_token, "tools/list")).status).toBe(200);
  });

  test("harbor's admin revokes from the page; the next MCP call is 401", async () => {
    const res = await harbor.post(`/connections/${contoso.grant_id}/revoke`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connections?notice=revoked");
    expect((await mcpCall(app, "aegis", contoso.access_token, "tools/list")).status).toBe(401);
  });

  test("a platform admin deletes a client: its live grants are revoked and its tokens stop working", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    expect((await mcpCall(app, "cavalier", t.access_token, "tools/list")).status).toBe(200);
    const res = await platform.post(`/clients/${t.client_id}/delete`);
    expect(res.status).toBe(303);
    expect((await mcpCall(app, "cavalier", t.access_token, "tools/list")).status).toBe(401);
    const grant = await app.ctx.store.client.execute({
      sql: "SELECT revoked_at FROM oauth_grants WHERE id = ?",
      args: [t.grant_id],
    });
    expect(grant.rows[0]!.revoked_at).not.toBeNull();
    const after = await (await platform.get("/connections")).text();
    expect(after).not.toContain(`data-client="${t.client_id}"`);
    expect(after).toContain(`action="/clients/${t.client_id}/restore"`);
    expect((await platform.post(`/clients/${t.client_id}/delete`)).status).toBe(404);
  });
});
