import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens, registerTestClient, type TestClient } from "../../helpers/oauth";
import { auditRows, bearer, mcpCall, signInAdmin, type AdminSession } from "./admin-session";

/**
 * Who may see, delete and restore OAuth clients, per role, over real HTTP (pages and JSON API). Clients are shared
 * by every tenant and a CIMD client's deletion blocks its URL appliance-wide, so a client attached to none of an
 * admin's tenants is a platform admin's alone.
 */
let app: TestAppliance;
let owner: AdminSession; // owner@fabrikam-law (individual_owner of a client tenant)
let harbor: AdminSession; // admin@harbor-it (msp_admin)
let otter: AdminSession; // admin@otter-msp (another MSP's msp_admin)
let platform: AdminSession; // platform@harbor-it (platform_admin)
let unattached: TestClient; // registered, approved nowhere, no grants
const CIMD = "https://vscode.dev/oauth/client-metadata.json";

async function clientRow(id: string) {
  const r = await app.ctx.store.client.execute({
    sql: "SELECT deleted_at FROM oauth_clients WHERE id = ?",
    args: [id],
  });
  return r.rows[0] ?? null;
}

async function apiClientIds(s: AdminSession, token?: string): Promise<string[]> {
  const res = token
    ? await fetch(`${app.adminUrl}/api/mcp/connections`, bearer(token))
    : await s.get("/api/mcp/connections");
  expect(res.status).toBe(200);
  return ((await res.json()) as { clients: { id: string }[] }).clients.map((c) => c.id);
}

beforeAll(async () => {
  app = await startTestAppliance();
  unattached = await registerTestClient(app, { client_name: "Harbor's new connector" });
  // A fetched Client ID Metadata Document as the OAuth feature stores it (fetching is that feature's test).
  await app.ctx.store.client.execute({
    sql: "INSERT INTO oauth_clients (id, source, name, redirect_uris, token_endpoint_auth_method, metadata, created_at) VALUES (?, 'cimd', 'VS Code', ?, 'none', '{}', ?)",
    args: [CIMD, JSON.stringify(["https://vscode.dev/redirect"]), Date.now()],
  });
  owner = await signInAdmin(app, "owner@fabrikam-law.example");
  harbor = await signInAdmin(app, "admin@harbor-it.example");
  otter = await signInAdmin(app, "admin@otter-msp.example");
  platform = await signInAdmin(app, "platform@harbor-it.example");
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe("clients attached to none of the caller's tenants", () => {
  test("only a platform admin sees them, on the page and in the JSON API", async () => {
    for (const [who, s] of [
      ["owner", owner],
      ["harbor", harbor],
      ["otter", otter],
    ] as const) {
      const page = await (await s.get("/connections")).text();
      expect({ who, dcr: page.includes(unattached.client_id), cimd: page.includes(CIMD) }).toEqual({
        who,
        dcr: false,
        cimd: false,
      });
      const ids = await apiClientIds(s);
      expect({ who, dcr: ids.includes(unattached.client_id), cimd: ids.includes(CIMD) }).toEqual({
        who,
        dcr: false,
        cimd: false,
      });
    }
    const token = await otter.createApiToken("monitor");
    expect(await apiClientIds(otter, token)).not.toContain(unattached.client_id);
    const page = await (await platform.get("/connections")).text();
    expect(page).toContain(`action="/clients/${encodeURIComponent(unattached.client_id)}/delete"`);
    expect(page).toContain(`action="/clients/${encodeURIComponent(CIMD)}/delete"`);
    expect(await apiClientIds(platform)).toEqual(expect.arrayContaining([unattached.client_id, CIMD]));
  });

  test("an individual owner or MSP admin deleting one is refused as not found, audited, and nothing changes", async () => {
    for (const [who, s] of [
      ["owner", owner],
      ["harbor", harbor],
      ["otter", otter],
    ] as const) {
      for (const id of [unattached.client_id, CIMD]) {
        const res = await s.post(`/clients/${encodeURIComponent(id)}/delete`);
        expect({ who, id, status: res.status }).toEqual({ who, id, status: 404 });
        expect(await res.text()).toContain("not found or not permitted");
        expect((await clientRow(id))!.deleted_at).toBeNull();
      }
    }
    const denied = await auditRows(app, "action = 'admin.client.delete' AND outcome = 'denied_unattached'");
    expect(denied.length).toBe(6);
    expect(new Set(denied.map((r) => r.client_id))).toEqual(new Set([unattached.client_id, CIMD]));
  });

  test("an MSP admin approves a new client by its id (the technician's page shows it), then sees it", async () => {
    const client = await registerTestClient(app, { client_name: "For Contoso" });
    const res = await harbor.post("/clients/approve", { client_id: client.client_id, tenant: "contosocare" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connections?notice=approved");
    expect(await (await harbor.get("/connections")).text()).toContain(client.client_id);
    expect(await (await otter.get("/connections")).text()).not.toContain(client.client_id);
    // Outside the caller's scope it is refused like any cross-tenant approval.
    expect((await otter.post("/clients/approve", { client_id: client.client_id, tenant: "contosocare" })).status).toBe(
      404,
    );
    expect((await harbor.post("/clients/approve", { client_id: "", tenant: "contosocare" })).status).toBe(400);
  });
});

describe("clients attached to the caller's tenants", () => {
  test("an individual owner deletes a client used only in their tenant; its tokens stop working", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    expect(await (await owner.get("/connections")).text()).toContain(t.client_id);
    expect(await (await otter.get("/connections")).text()).not.toContain(t.client_id);
    const res = await owner.post(`/clients/${t.client_id}/delete`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connections?notice=client_deleted");
    expect((await mcpCall(app, "cavalier", t.access_token, "tools/list")).status).toBe(401);
    expect(
      (await auditRows(app, "action = 'admin.client.delete' AND outcome = 'ok' AND client_id = ?", [t.client_id]))
        .length,
    ).toBe(1);
  });

  test("a client also used by another MSP's tenant is forbidden to both MSP admins and the owner; a platform admin deletes it", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    expect((await otter.post("/clients/approve", { client_id: t.client_id, tenant: "otter-client" })).status).toBe(303);
    for (const [who, s] of [
      ["owner", owner],
      ["harbor", harbor],
      ["otter", otter],
    ] as const) {
      const res = await s.post(`/clients/${t.client_id}/delete`);
      expect({ who, status: res.status }).toEqual({ who, status: 403 });
    }
    expect(
      (
        await auditRows(app, "action = 'admin.client.delete' AND outcome = 'denied_cross_tenant' AND client_id = ?", [
          t.client_id,
        ])
      ).length,
    ).toBe(3);
    expect((await mcpCall(app, "cavalier", t.access_token, "tools/list")).status).toBe(200);
    expect((await platform.post(`/clients/${t.client_id}/delete`)).status).toBe(303);
    expect((await mcpCall(app, "cavalier", t.access_token, "tools/list")).status).toBe(401);
  });
});

describe("metadata-document (CIMD) clients", () => {
  test("a tenant admin whose only tenant uses a CIMD client still may not delete it appliance-wide; a platform admin may", async () => {
    const other = "https://claude.ai/oauth/claude-code-client-metadata";
    await app.ctx.store.client.execute({
      sql: "INSERT INTO oauth_clients (id, source, name, redirect_uris, token_endpoint_auth_method, metadata, created_at) VALUES (?, 'cimd', 'Claude Code', ?, 'none', '{}', ?)",
      args: [other, JSON.stringify(["http://localhost/callback"]), Date.now()],
    });
    expect((await owner.post("/clients/approve", { client_id: other, tenant: "fabrikam-law" })).status).toBe(303);
    const res = await owner.post(`/clients/${encodeURIComponent(other)}/delete`);
    expect(res.status).toBe(403);
    expect((await clientRow(other))!.deleted_at).toBeNull();
    expect(
      (await auditRows(app, "action = 'admin.client.delete' AND outcome = 'denied_role' AND client_id = ?", [other]))
        .length,
    ).toBe(1);
    expect((await platform.post(`/clients/${encodeURIComponent(other)}/delete`)).status).toBe(303);
    expect((await clientRow(other))!.deleted_at).not.toBeNull();
  });
});

describe("restoring a deleted client", () => {
  test("a platform admin restores a deleted CIMD client; its grants stay revoked; others may not", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    expect((await platform.post(`/clients/${encodeURIComponent(CIMD)}/delete`)).status).toBe(303);
    expect((await platform.post(`/clients/${t.client_id}/delete`)).status).toBe(303);
    expect((await clientRow(CIMD))!.deleted_at).not.toBeNull();

    const page = await (await platform.get("/connections")).text();
    expect(page).toContain('id="deleted-clients"');
    expect(page).toContain(`action="/clients/${encodeURIComponent(CIMD)}/restore"`);
    for (const s of [owner, harbor, otter])
      expect(await (await s.get("/connections")).text()).not.toContain("/restore");

    for (const [who, s] of [
      ["owner", owner],
      ["harbor", harbor],
      ["otter", otter],
    ] as const) {
      const res = await s.post(`/clients/${encodeURIComponent(CIMD)}/restore`);
      expect({ who, status: res.status }).toEqual({ who, status: 403 });
    }
    expect((await auditRows(app, "action = 'admin.client.restore' AND outcome = 'denied_role'")).length).toBe(3);
    expect((await clientRow(CIMD))!.deleted_at).not.toBeNull();

    const noCsrf = await platform.get(`/clients/${encodeURIComponent(CIMD)}/restore`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(noCsrf.status).toBe(403);
    expect((await clientRow(CIMD))!.deleted_at).not.toBeNull();

    const res = await platform.post(`/clients/${encodeURIComponent(CIMD)}/restore`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/connections?notice=client_restored");
    expect((await clientRow(CIMD))!.deleted_at).toBeNull();
    expect(
      (await auditRows(app, "action = 'admin.client.restore' AND outcome = 'ok' AND client_id = ?", [CIMD])).length,
    ).toBe(1);
    expect((await platform.post(`/clients/${encodeURIComponent(CIMD)}/restore`)).status).toBe(404);

    // A restored DCR client: its grant stays revoked, so the old token is still refused.
    expect((await platform.post(`/clients/${t.client_id}/restore`)).status).toBe(303);
    const grant = await app.ctx.store.client.execute({
      sql: "SELECT revoked_at FROM oauth_grants WHERE id = ?",
      args: [t.grant_id],
    });
    expect(grant.rows[0]!.revoked_at).not.toBeNull();
    expect((await mcpCall(app, "cavalier", t.access_token, "tools/list")).status).toBe(401);
    expect(await (await platform.get("/connections?notice=client_restored")).text()).toContain("Client restored.");
  });
});
