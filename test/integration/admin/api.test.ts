import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { userIdForEmail } from "../../../src/tenancy/sync";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens, type Tokens } from "../../helpers/oauth";
import { auditRows, bearer, mcpCall, signInAdmin, type AdminSession } from "./admin-session";

/**
 * The admin JSON API over real HTTP on the admin listener, with real grants from the real OAuth flow.
 * Two MSPs: harbor-it (admin@harbor-it) and otter-msp (admin@otter-msp) must never see or touch each other.
 */
let app: TestAppliance;
let harbor: AdminSession;
let otter: AdminSession;
let platform: AdminSession;
let harborToken: string;
let otterToken: string;
let fabrikam: Tokens; // owner@fabrikam-law (a harbor-it client tenant) on cavalier
let otterGrant: Tokens; // admin@otter-msp on aegis

beforeAll(async () => {
  app = await startTestAppliance();
  fabrikam = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
  otterGrant = await obtainTokens(app, { email: "admin@otter-msp.example", surface: "aegis" });
  harbor = await signInAdmin(app, "admin@harbor-it.example");
  otter = await signInAdmin(app, "admin@otter-msp.example");
  platform = await signInAdmin(app, "platform@harbor-it.example");
  harborToken = await harbor.createApiToken("harbor-monitoring");
  otterToken = await otter.createApiToken("otter-monitoring");
  // Tool-call history at known times (written through the real AuditLog, as the MCP surfaces do).
  const owner = userIdForEmail("owner@fabrikam-law.example");
  const staff = userIdForEmail("staff@contosocare.example");
  const otterAdmin = userIdForEmail("admin@otter-msp.example");
  const rows = [
    {
      surface: "cavalier",
      tool: "cavalier.create_quote",
      outcome: "confirmation_required",
      userId: owner,
      tenantId: "fabrikam-law",
    },
    {
      surface: "cavalier",
      tool: "cavalier.create_quote",
      outcome: "confirmed",
      userId: owner,
      tenantId: "fabrikam-law",
    },
    { surface: "cavalier", tool: "cavalier.list_deals", outcome: "ok", userId: owner, tenantId: "fabrikam-law" },
    { surface: "aegis", tool: "aegis.list_findings", outcome: "ok", userId: staff, tenantId: "contosocare" },
    {
      surface: "aegis",
      tool: "aegis.list_findings",
      outcome: "denied_cross_tenant",
      userId: staff,
      tenantId: "contosocare",
    },
    { surface: "forge", tool: "forge.search", outcome: "ok", userId: otterAdmin, tenantId: "otter-client" },
    { surface: "aegis", tool: "aegis.list_findings", outcome: "tool_error", userId: otterAdmin, tenantId: "otter-msp" },
  ];
  for (const r of rows)
    await app.ctx.audit.record({
      kind: "mcp",
      action: r.tool,
      clientId: fabrikam.client_id,
      latencyMs: 12,
      detail: { tenant_id: r.tenantId, password: "hunter2" },
      ...r,
    });
  await app.ctx.audit.flush();
}, 60_000);
afterAll(async () => {
  await app?.close();
});

type Json = Record<string, unknown> & { error?: string };
async function getJson(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${app.adminUrl}${path}`, init);
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

describe("GET /api/mcp/connections", () => {
  test("needs a session or an admin API token", async () => {
    expect((await getJson("/api/mcp/connections")).status).toBe(401);
    const bad = await getJson("/api/mcp/connections", bearer("cvadm_not-a-real-token"));
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("unauthorized");
    expect(bad.headers.get("www-authenticate")).toContain("Bearer");
  });

  test("an msp_admin sees their clients' live grants with user, tenant, client, surface, scopes, times", async () => {
    const { status, body } = await getJson("/api/mcp/connections", bearer(harborToken));
    expect(status).toBe(200);
    const conns = body.connections as Json[];
    const c = conns.find((x) => x.id === fabrikam.grant_id)!;
    expect(c).toMatchObject({
      user_email: "owner@fabrikam-law.example",
      tenant_id: "fabrikam-law",
      tenant_name: "Fabrikam Law LLP",
      client_id: fabrikam.client_id,
      client_name: "Test Client",
      surface: "cavalier",
      scopes: ["cavalier:read", "cavalier:write"],
    });
    expect(typeof c.created_at).toBe("string");
    expect(conns.some((x) => x.id === otterGrant.grant_id)).toBe(false);
  });

  test("an msp_admin of otter-msp cannot see harbor-it's connections; naming harbor's tenant is refused and audited", async () => {
    const { body } = await getJson("/api/mcp/connections", bearer(otterToken));
    const ids = (body.connections as Json[]).map((x) => x.id);
    expect(ids).toContain(otterGrant.grant_id);
    expect(ids).not.toContain(fabrikam.grant_id);
    const named = await getJson("/api/mcp/connections?tenant=fabrikam-law", bearer(otterToken));
    expect(named.status).toBe(404);
    expect(named.body).toEqual({ error: "not_found", error_description: "not found or not permitted" });
    const rows = await auditRows(
      app,
      "action = 'admin.connections.list' AND outcome = 'denied_cross_tenant' AND user_id = ?",
      [userIdForEmail("admin@otter-msp.example")],
    );
    expect(rows.length).toBe(1);
    expect(String(rows[0]!.detail)).toContain("fabrikam-law");
  });

  test("a platform admin sees every tenant's connections; the session works like a token", async () => {
    const res = await platform.get("/api/mcp/connections");
    const ids = ((await res.json()) as { connections: Json[] }).connections.map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining([fabrikam.grant_id, otterGrant.grant_id]));
  });

  test("an individual_owner sees only their own tenant's connections and audit rows", async () => {
    const owner = await signInAdmin(app, "owner@fabrikam-law.example");
    const token = await owner.createApiToken("owner-script");
    const conns = (await getJson("/api/mcp/connections", bearer(token))).body.connections as Json[];
    expect(conns.every((c) => c.tenant_id === "fabrikam-law")).toBe(true);
    expect(conns.map((c) => c.id)).toContain(fabrikam.grant_id);
    const rows = (await getJson("/api/mcp/audit?kind=mcp", bearer(token))).body.rows as Json[];
    expect(rows.length).toBe(3);
    expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set(["fabrikam-law"]));
    expect((await getJson("/api/mcp/audit?tenant=harbor-it", bearer(token))).status).toBe(404);
  });

  test("a platform admin's audit includes rows without a tenant (failed sign-ins); an msp_admin's does not", async () => {
    await app.ctx.audit.record({
      kind: "oauth",
      action: "oauth.sign_in",
      outcome: "bad_credentials",
      detail: { email: "nobody@example.com" },
    });
    const p = (await (await platform.get("/api/mcp/audit?kind=oauth&outcome=bad_credentials")).json()) as {
      rows: Json[];
    };
    expect(p.rows.length).toBe(1);
    expect(p.rows[0]!.tenant_id).toBeNull();
    const h = await getJson("/api/mcp/audit?kind=oauth&outcome=bad_credentials", bearer(harborToken));
    expect(h.body.rows).toEqual([]);
  });

  test("unknown parameters are a 400 with a clear code, never a 500", async () => {
    const r = await getJson("/api/mcp/connections?tenantt=x", bearer(harborToken));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("invalid_request");
  });
});

describe("DELETE /api/mcp/connections/{id}", () => {
  test("otter's msp_admin cannot revoke harbor's connection: refused as not found, audited, and the grant keeps working", async () => {
    const res = await fetch(`${app.adminUrl}/api/mcp/connections/${fabrikam.grant_id}`, {
      method: "DELETE",
      ...bearer(otterToken),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found", error_description: "not found or not permitted" });
    const rows = await auditRows(
      app,
      "kind = 'admin' AND action = 'admin.connection.revoke' AND outcome = 'denied_cross_tenant'",
    );
    expect(rows.length).toBe(1);
    expect(rows[0]!.user_id).toBe(userIdForEmail("admin@otter-msp.example"));
    expect(String(rows[0]!.detail)).toContain(fabrikam.grant_id);
    expect((await mcpCall(app, "cavalier", fabrikam.access_token, "tools/list")).status).toBe(200);
  });

  test("an unknown id reads exactly like another tenant's", async () => {
    const res = await fetch(`${app.adminUrl}/api/mcp/connections/grt_doesnotexist`, {
      method: "DELETE",
      ...bearer(otterToken),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found", error_description: "not found or not permitted" });
  });

  test("a session DELETE needs the X-CSRF-Token header", async () => {
    const res = await harbor.get(`/api/mcp/connections/${fabrikam.grant_id}`, { method: "DELETE" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).error).toBe("csrf_failed");
    expect((await mcpCall(app, "cavalier", fabrikam.access_token, "tools/list")).status).toBe(200);
  });

  test("harbor's msp_admin revokes it: the very next MCP call with the old access token is 401; a second revoke says so", async () => {
    expect((await mcpCall(app, "cavalier", fabrikam.access_token, "tools/list")).status).toBe(200);
    const res = await harbor.get(`/api/mcp/connections/${fabrikam.grant_id}`, {
      method: "DELETE",
      headers: { "x-csrf-token": harbor.csrf },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: fabrikam.grant_id, revoked: true, already_revoked: false });
    const after = await mcpCall(app, "cavalier", fabrikam.access_token, "tools/list");
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toContain("invalid_token");
    const again = await getJson(`/api/mcp/connections/${fabrikam.grant_id}`, {
      method: "DELETE",
      ...bearer(harborToken),
    });
    expect(again.body).toMatchObject({ revoked: false, already_revoked: true });
    const listed = await getJson("/api/mcp/connections", bearer(harborToken));
    expect((listed.body.connections as Json[]).some((x) => x.id === fabrikam.grant_id)).toBe(false);
    expect(
      (
        await auditRows(app, "action = 'admin.connection.revoke' AND outcome = 'ok' AND grant_id = ?", [
          fabrikam.grant_id,
        ])
      ).length,
    ).toBe(1);
  });
});

describe("GET /api/mcp/audit", () => {
  test("filters by surface, tool, outcome, user, tenant and client; newest first; arguments redacted", async () => {
    const r = await getJson("/api/mcp/audit?kind=mcp&surface=cavalier&tool=cavalier.create_quote", bearer(harborToken));
    expect(r.status).toBe(200);
    const rows = r.body.rows as Json[];
    expect(rows.map((x) => x.outcome)).toEqual(["confirmed", "confirmation_required"]);
    expect(rows[0]!.user_email).toBe("owner@fabrikam-law.example");
    expect(rows[0]!.tenant_name).toBe("Fabrikam Law LLP");
    expect(JSON.stringify(rows)).not.toContain("hunter2");
    const byOutcome = await getJson("/api/mcp/audit?kind=mcp&outcome=denied_cross_tenant", bearer(harborToken));
    expect((byOutcome.body.rows as Json[]).map((x) => x.tool)).toEqual(["aegis.list_findings"]);
    const byUser = await getJson("/api/mcp/audit?kind=mcp&user=staff@contosocare.example", bearer(harborToken));
    expect((byUser.body.rows as Json[]).length).toBe(2);
    const byTenant = await getJson("/api/mcp/audit?kind=mcp&tenant=contosocare", bearer(harborToken));
    expect((byTenant.body.rows as Json[]).every((x) => x.tenant_id === "contosocare")).toBe(true);
    const byClient = await getJson(`/api/mcp/audit?kind=mcp&client=${fabrikam.client_id}`, bearer(harborToken));
    expect((byClient.body.rows as Json[]).length).toBe(5);
  });

  test("a time range filters by when the row was written", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await getJson(`/api/mcp/audit?from=${encodeURIComponent(future)}`, bearer(harborToken));
    expect(none.body.rows).toEqual([]);
    const past = await getJson(`/api/mcp/audit?kind=mcp&range=1h`, bearer(harborToken));
    expect((past.body.rows as Json[]).length).toBeGreaterThan(0);
  });

  test("cursor pagination walks the set without overlap or gaps", async () => {
    const all = ((await getJson("/api/mcp/audit?kind=mcp", bearer(harborToken))).body.rows as Json[]).map((x) => x.id);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await getJson(
        `/api/mcp/audit?kind=mcp&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        bearer(harborToken),
      );
      const rows = page.body.rows as Json[];
      expect(rows.length).toBeLessThanOrEqual(2);
      seen.push(...rows.map((x) => x.id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.length).toBe(5);
  });

  test("otter's admin sees only otter rows; naming harbor's tenant is refused and audited", async () => {
    const r = await getJson("/api/mcp/audit?kind=mcp", bearer(otterToken));
    const tenants = new Set((r.body.rows as Json[]).map((x) => x.tenant_id));
    expect([...tenants].sort()).toEqual(["otter-client", "otter-msp"]);
    const named = await getJson("/api/mcp/audit?tenant=contosocare", bearer(otterToken));
    expect(named.status).toBe(404);
    expect(
      (
        await auditRows(app, "action = 'admin.audit.query' AND outcome = 'denied_cross_tenant' AND user_id = ?", [
          userIdForEmail("admin@otter-msp.example"),
        ])
      ).length,
    ).toBe(1);
  });

  test("caller mistakes are 400 with clear codes", async () => {
    const cases: [string, string][] = [
      ["cursor=garbage", "invalid_cursor"],
      ["surface=nope", "invalid_request"],
      ["from=yesterday", "invalid_request"],
      ["from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "invalid_request"],
      ["limit=100000", "invalid_request"],
      ["bogus=1", "invalid_request"],
      ["user=a&user=b", "invalid_request"],
    ];
    for (const [qs, code] of cases) {
      const r = await getJson(`/api/mcp/audit?${qs}`, bearer(harborToken));
      expect({ qs, status: r.status, error: r.body.error }).toEqual({ qs, status: 400, error: code });
      expect(typeof r.body.error_description).toBe("string");
    }
  });
});

describe("GET /api/mcp/audit/export", () => {
  test("CSV of exactly the filtered set, header first, as an attachment", async () => {
    const res = await fetch(
      `${app.adminUrl}/api/mcp/audit/export?format=csv&kind=mcp&surface=aegis`,
      bearer(harborToken),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/csv");
    expect(res.headers.get("content-disposition")).toContain('attachment; filename="cavaridge-audit-');
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toStartWith("id,seq,at,kind,action,outcome,surface,tool,user_id,tenant_id");
    expect(lines.length).toBe(1 + 2); // contosocare's two aegis rows; otter's aegis row is out of scope
    expect(lines.slice(1).every((l) => l.includes(",aegis,aegis.list_findings,") && l.includes("contosocare"))).toBe(
      true,
    );
  });

  test("JSON lines, one object per row; the export itself is audited", async () => {
    const res = await fetch(`${app.adminUrl}/api/mcp/audit/export?format=jsonl&kind=mcp`, bearer(otterToken));
    expect(res.headers.get("content-type")).toStartWith("application/x-ndjson");
    const objs = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Json);
    expect(objs.length).toBe(2);
    expect(objs.every((o) => String(o.tenant_id).startsWith("otter"))).toBe(true);
    expect(
      (
        await auditRows(app, "action = 'admin.audit.export' AND user_id = ?", [
          userIdForEmail("admin@otter-msp.example"),
        ])
      ).length,
    ).toBe(1);
  });

  test("format is required and must be csv or jsonl", async () => {
    expect((await getJson("/api/mcp/audit/export", bearer(harborToken))).status).toBe(400);
    const bad = await getJson("/api/mcp/audit/export?format=xml", bearer(harborToken));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_request");
  });
});

describe("GET /api/mcp/servers", () => {
  test("every surface with the URL to paste, its PRM URL, enabled state, 24 h calls in scope and tool catalog", async () => {
    const { status, body } = await getJson("/api/mcp/servers", bearer(harborToken));
    expect(status).toBe(200);
    const servers = body.servers as Json[];
    expect(servers.map((s) => s.surface)).toEqual(["forge", "cavalier", "aegis"]);
    const cavalier = servers.find((s) => s.surface === "cavalier")!;
    expect(cavalier).toMatchObject({
      enabled: true,
      url: `${app.config.server.public_url}/cavalier`,
      protected_resource_metadata_url: `${app.config.server.public_url}/.well-known/oauth-protected-resource/cavalier`,
      tool_catalog_url: `${app.config.server.public_url}/cavalier/list_tools`,
    });
    // harbor sees fabrikam's 3 cavalier rows; otter's forge row is not counted for harbor.
    expect(cavalier.calls_last_24h).toBe(3);
    expect(servers.find((s) => s.surface === "forge")!.calls_last_24h).toBe(0);
    // The catalog is the one the surface serves publicly.
    const publicCatalog = (await (await fetch(`${app.baseUrl}/cavalier/list_tools`)).json()) as {
      tools: { name: string }[];
    };
    expect((cavalier.tools as Json[]).map((t) => t.name)).toEqual(publicCatalog.tools.map((t) => t.name));
    for (const t of cavalier.tools as Json[]) expect(typeof t.destructive).toBe("boolean");
  });

  test("a revoked admin API token stops working", async () => {
    const s = await signInAdmin(app, "owner@fabrikam-law.example");
    const token = await s.createApiToken("short-lived");
    expect((await getJson("/api/mcp/servers", bearer(token))).status).toBe(200);
    const tokens = await app.ctx.store.client.execute({
      sql: "SELECT id FROM admin_api_tokens WHERE name = 'short-lived'",
      args: [],
    });
    const id = String(tokens.rows[0]!.id);
    expect((await s.post(`/tokens/${id}/revoke`)).status).toBe(303);
    expect((await getJson("/api/mcp/servers", bearer(token))).status).toBe(401);
    // Stored hashed only.
    const raw = await app.ctx.store.client.execute({
      sql: "SELECT count(*) AS n FROM admin_api_tokens WHERE token_hash = ?",
      args: [token],
    });
    expect(Number(raw.rows[0]!.n)).toBe(0);
  });
});
