import {
  auditCsvHeader,
  auditCsvLine,
  auditJsonLine,
  auditRowForExport,
  AuditCursorError,
  iterateAuditLog,
  queryAuditLog,
} from "../audit/query";
import type { AppContext } from "../context";
import { listGrants, type GrantSummary } from "../oauth/grants";
import { listClientsInScope } from "../oauth/admin-queries";
import { recordAdminAction, revokeConnection } from "./actions";
import { parseAuditQuery } from "./audit-filters";
import { clientNames, loadDirectory, type Directory } from "./directory";
import { AdminError } from "./errors";
import { apiJson, requireCsrf, type AdminRequest, type Authenticated } from "./http";
import { admitNamedTenant } from "./scope-checks";
import { buildServerInventory } from "./servers";

/**
 * The admin JSON API (`/api/mcp/...`): the same functions as the pages, for scripts and monitoring. Callers
 * authenticate with the browser session or `Authorization: Bearer <admin API token>`; tenant scoping is the
 * pages' scoping. Errors are `{ error, error_description }` with the codes of AdminError.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function connectionJson(g: GrantSummary, directory: Directory) {
  return {
    id: g.id,
    user_id: g.userId,
    user_email: g.userEmail,
    user_name: g.userName,
    tenant_id: g.tenantId,
    tenant_name: directory.tenantName(g.tenantId),
    client_id: g.clientId,
    client_name: g.clientName,
    client_source: g.clientSource,
    surface: g.surface,
    resource: g.resource,
    scopes: g.scopes,
    created_at: iso(g.createdAt),
    last_used_at: iso(g.lastUsedAt),
  };
}

const CONNECTIONS_PARAMS = new Set(["tenant"]);

export async function apiListConnections(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  for (const k of req.url.searchParams.keys())
    if (!CONNECTIONS_PARAMS.has(k)) throw new AdminError("invalid_request", `unknown parameter ${k}`);
  const tenant = req.url.searchParams.get("tenant") || undefined;
  const { principal } = auth;
  await admitNamedTenant(ctx, principal, tenant, req, "connections.list");
  const [grants, clients, directory] = await Promise.all([
    listGrants(ctx.store.db, principal.scope, { includeRevoked: false, limit: 1000 }),
    listClientsInScope(ctx.store.db, principal.role === "platform_admin" ? "all" : principal.scope),
    loadDirectory(ctx.store.db, principal),
  ]);
  const visible = tenant ? grants.filter((g) => g.tenantId === tenant) : grants;
  return apiJson({
    connections: visible.map((g) => connectionJson(g, directory)),
    clients: clients
      .filter((c) => !tenant || c.approvedTenantIds.includes(tenant))
      .map((c) => ({
        id: c.id,
        name: c.name,
        source: c.source,
        redirect_uris: c.redirectUris,
        approved_tenant_ids: c.approvedTenantIds,
        live_connections: c.liveGrants,
        created_at: iso(c.createdAt),
        last_used_at: iso(c.lastUsedAt),
      })),
  });
}

export async function apiRevokeConnection(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  id: string,
): Promise<Response> {
  requireCsrf(auth, req, req.request.headers.get("x-csrf-token"));
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new AdminError("not_found", "not found or not permitted");
  const revoked = await revokeConnection(ctx, auth.principal, id, req);
  return apiJson({ id, revoked, already_revoked: !revoked });
}

async function auditQueryFor(ctx: AppContext, req: AdminRequest, auth: Authenticated) {
  const parsed = parseAuditQuery(req.url.searchParams, req.now, "all");
  await admitNamedTenant(ctx, auth.principal, parsed.filters.tenantId, req, "audit.query");
  return parsed;
}

export async function apiQueryAudit(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  const q = await auditQueryFor(ctx, req, auth);
  if (q.format) throw new AdminError("invalid_request", "format applies to /api/mcp/audit/export");
  try {
    const page = await queryAuditLog(ctx.store.db, auth.principal.auditVisibility, q.filters, {
      cursor: q.cursor,
      limit: q.limit ?? 100,
    });
    const [directory, names] = await Promise.all([
      loadDirectory(ctx.store.db, auth.principal),
      clientNames(
        ctx.store.db,
        page.rows.map((r) => r.clientId),
      ),
    ]);
    return apiJson({
      rows: page.rows.map((r) => ({
        ...auditRowForExport(r),
        user_email: directory.userLabel(r.userId),
        tenant_name: directory.tenantName(r.tenantId),
        client_name: r.clientId ? (names.get(r.clientId) ?? null) : null,
      })),
      next_cursor: page.nextCursor,
    });
  } catch (err) {
    if (err instanceof AuditCursorError) throw new AdminError("invalid_cursor", err.message);
    throw err;
  }
}

/** Streams the whole filtered set (no pagination) as CSV or JSON lines; the export itself is audited. */
export async function apiExportAudit(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  const q = await auditQueryFor(ctx, req, auth);
  if (!q.format) throw new AdminError("invalid_request", "format is required: csv or jsonl");
  if (q.cursor) throw new AdminError("invalid_request", "exports are not paginated; drop cursor");
  const format = q.format;
  await recordAdminAction(ctx, auth.principal, req, "admin.audit.export", "ok", {
    detail: { format, filters: q.echo },
  });
  const rows = iterateAuditLog(ctx.store.db, auth.principal.auditVisibility, q.filters);
  const encoder = new TextEncoder();
  const log = ctx.log;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (format === "csv") controller.enqueue(encoder.encode(auditCsvHeader()));
    },
    async pull(controller) {
      try {
        let chunk = "";
        for (let i = 0; i < 200; i++) {
          const next = await rows.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += format === "csv" ? auditCsvLine(next.value) : auditJsonLine(next.value);
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        log.error("audit export failed", { request_id: req.requestId, error });
        controller.error(error);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const stamp = new Date(req.now).toISOString().replace(/[:.]/g, "-");
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="cavaridge-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

export async function apiListServers(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  if ([...req.url.searchParams.keys()].length > 0)
    throw new AdminError("invalid_request", "this endpoint takes no parameters");
  const servers = await buildServerInventory(ctx.store.db, ctx.config, auth.principal.auditVisibility, req.now);
  return apiJson({
    servers: servers.map((s) => ({
      surface: s.surface,
      title: s.title,
      enabled: s.enabled,
      url: s.url,
      protected_resource_metadata_url: s.protectedResourceMetadataUrl,
      tool_catalog_url: s.toolCatalogUrl,
      calls_last_24h: s.callsLast24h,
      // Already the catalog's wire shape (src/admin/servers.ts CatalogTool): name, title, description, scope, destructive,
      // annotations, inputSchema.
      tools: s.tools,
    })),
  });
}
