import {
  countAuditPerHour,
  distinctAuditValues,
  firstAuditTime,
  findAuditRow,
  findConfirmingRows,
  queryAuditLog,
  AuditCursorError,
} from "../audit/query";
import type { AppContext } from "../context";
import type { ObservabilityServices } from "../observability/index";
import { listGrants } from "../oauth/grants";
import { listClientsInScope, listDeletedClients } from "../oauth/admin-queries";
import {
  approveClient,
  deleteClientAsAdmin,
  recordAdminAction,
  restoreClientAsAdmin,
  revokeConnection,
} from "./actions";
import { createAdminApiToken, listAdminApiTokens, revokeAdminApiToken } from "./api-tokens";
import { parseAuditQuery } from "./audit-filters";
import type { AdminPrincipal } from "./principal";
import { auditChainStatus } from "./chain-status";
import { renderCallsChart } from "./chart";
import { clientNames, loadDirectory } from "./directory";
import { AdminError } from "./errors";
import { htmlResponse, readCheckedForm, readForm, redirect, type AdminRequest, type Authenticated } from "./http";
import { renderAudit, renderAuditDetail } from "./pages/audit";
import { renderConnections } from "./pages/connections";
import type { PageFrame } from "./pages/layout";
import { renderServers } from "./pages/servers";
import { renderSignIn } from "./pages/sign-in";
import { renderTenants } from "./pages/tenants";
import { renderTokens } from "./pages/tokens";
import { admitNamedTenant } from "./scope-checks";
import { buildServerInventory } from "./servers";
import {
  adminCookie,
  createAdminSession,
  csrfTokenFor,
  destroyAdminSession,
  newPreSessionSecret,
  PRE_SESSION_COOKIE,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  verifyCsrfToken,
} from "./session";
import { verifyAdminCredentials } from "./sign-in";
import { unstorableTextReason } from "../shared/text";

/** Page handlers of the admin console: plain Request data in, Response out. index.ts routes to them. */

/** Notices after a redirect are chosen from this list by key, so no caller-supplied text is ever reflected. */
const NOTICES: Record<string, NonNullable<PageFrame["notice"]>> = {
  revoked: { kind: "ok", text: "Connection revoked. The client's next request will be refused." },
  already_revoked: { kind: "ok", text: "That connection was already revoked." },
  approved: { kind: "ok", text: "Client approved for the tenant." },
  already_approved: { kind: "ok", text: "That client was already approved for the tenant." },
  client_deleted: { kind: "ok", text: "Client deleted and its connections revoked." },
  client_restored: {
    kind: "ok",
    text: "Client restored. Its earlier connections stay revoked and it needs approving again.",
  },
  token_revoked: { kind: "ok", text: "API token revoked." },
};

function noticeOf(req: AdminRequest): PageFrame["notice"] {
  const key = req.url.searchParams.get("notice");
  return key ? (NOTICES[key] ?? null) : null;
}

const HOME = "/connections";

/**
 * Where to go after sign-in: a path on this admin origin, else the home page (no open redirect; OWASP Unvalidated
 * Redirects and Forwards Cheat Sheet). `next` is resolved with the WHATWG URL parser, exactly as the browser will
 * resolve the Location header (it drops tab/CR/LF, reads "\\" as "/", resolves "./" and "%2e" segments), and must
 * keep the admin origin. The path we send back must resolve to that same URL again: "/.//evil.example" normalises
 * to the path "//evil.example", which a browser reads as a network-path reference to another host
 * (RFC 3986 §4.2). A `next` that leaves the origin once percent-decoded is refused too, in case anything on the way
 * decodes it.
 */
export function safeNext(next: string | null | undefined, origin: string): string {
  if (!next || next.length > 2000 || !URL.canParse(origin)) return HOME;
  const base = new URL(origin);
  const target = sameOriginPath(next, base);
  if (target === null) return HOME;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return HOME;
  }
  if (decoded !== next && sameOriginPath(decoded, base) === null) return HOME;
  return target;
}

/** The path-absolute reference `candidate` resolves to on `base`'s origin, or null when it leaves the origin. */
function sameOriginPath(candidate: string, base: URL): string | null {
  if (!URL.canParse(candidate, base)) return null;
  const url = new URL(candidate, base);
  if (url.origin !== base.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return URL.canParse(path, base) && new URL(path, base).href === url.href ? path : null;
}

export function signInPage(
  req: AdminRequest,
  opts: { error?: string; email?: string; status?: number; retryAfter?: number } = {},
): Response {
  const pre = req.cookies.get(PRE_SESSION_COOKIE);
  const secret = pre && /^[A-Za-z0-9_-]{20,64}$/.test(pre) ? pre : newPreSessionSecret();
  const cookies: [string, string][] = [
    ["set-cookie", adminCookie(PRE_SESSION_COOKIE, secret, { secure: req.secure, maxAgeSeconds: 3600 })],
  ];
  if (opts.retryAfter) cookies.push(["retry-after", String(opts.retryAfter)]);
  const next = req.url.searchParams.get("next") ?? undefined;
  return htmlResponse(
    renderSignIn({ csrf: csrfTokenFor(secret), email: opts.email, error: opts.error, next }),
    opts.status ?? 200,
    cookies,
  );
}

export async function signIn(ctx: AppContext, req: AdminRequest): Promise<Response> {
  const form = await readForm(req.request);
  const email = (form.get("email") ?? "").trim().slice(0, 320);
  const pre = req.cookies.get(PRE_SESSION_COOKIE);
  if (!pre || !verifyCsrfToken(pre, form.get("csrf"))) {
    return signInPage(req, { email, error: "The sign-in form expired. Please try again.", status: 403 });
  }
  const result = await verifyAdminCredentials(
    { db: ctx.store.db, config: ctx.config, verify: ctx.passwordVerifier },
    { email, password: form.get("password") ?? "", ip: req.ip },
    req.now,
  );
  if (!result.ok) {
    await recordAdminAction(
      ctx,
      null,
      req,
      "admin.sign_in",
      result.reason === "role_not_admitted" ? "denied_role" : result.reason,
      {
        userId: result.userId,
        detail: { email },
      },
    );
    if (result.reason === "locked")
      return signInPage(req, {
        email,
        status: 429,
        retryAfter: result.retryAfterSeconds,
        error: `Too many failed sign-ins. Try again in ${Math.ceil((result.retryAfterSeconds ?? 60) / 60)} minute(s).`,
      });
    if (result.reason === "role_not_admitted")
      return signInPage(req, {
        email,
        status: 403,
        error: "This account may not use the admin console. Ask an MSP admin or platform admin.",
      });
    return signInPage(req, { email, status: 401, error: "Email or password is incorrect." });
  }
  const session = await createAdminSession(ctx.store.db, result.userId, req.ip, req.now);
  await recordAdminAction(
    ctx,
    { userId: result.userId, tenantId: result.tenantId, via: "session" },
    req,
    "admin.sign_in",
    "ok",
  );
  const next = form.get("next");
  return redirect(safeNext(next, req.url.origin), [
    adminCookie(SESSION_COOKIE, session.id, {
      secure: req.secure,
      maxAgeSeconds: Math.floor(SESSION_ABSOLUTE_MS / 1000),
    }),
    adminCookie(PRE_SESSION_COOKIE, "", { secure: req.secure, maxAgeSeconds: 0 }),
  ]);
}

export async function signOut(ctx: AppContext, req: AdminRequest, auth: Authenticated | null): Promise<Response> {
  const clear = adminCookie(SESSION_COOKIE, "", { secure: req.secure, maxAgeSeconds: 0 });
  if (!auth?.session) return redirect("/sign-in", [clear]);
  await readCheckedForm(auth, req);
  await destroyAdminSession(ctx.store.db, auth.session.id);
  await recordAdminAction(ctx, auth.principal, req, "admin.sign_out", "ok");
  return redirect("/sign-in", [clear]);
}

export async function connectionsPage(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  const { principal } = auth;
  const platform = principal.role === "platform_admin";
  const [grants, clients, deletedClients, directory] = await Promise.all([
    listGrants(ctx.store.db, principal.scope, { includeRevoked: false, limit: 1000 }),
    listClientsInScope(ctx.store.db, platform ? "all" : principal.scope),
    platform ? listDeletedClients(ctx.store.db) : Promise.resolve([]),
    loadDirectory(ctx.store.db, principal),
  ]);
  return htmlResponse(
    renderConnections({
      principal,
      csrf: auth.csrf,
      grants,
      clients,
      deletedClients,
      directory,
      now: req.now,
      notice: noticeOf(req),
    }),
  );
}

export async function revokeConnectionForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  grantId: string,
): Promise<Response> {
  await readCheckedForm(auth, req);
  const revoked = await revokeConnection(ctx, auth.principal, grantId, req);
  return redirect(`/connections?notice=${revoked ? "revoked" : "already_revoked"}`);
}

export async function approveClientForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  clientId: string,
): Promise<Response> {
  return approveClientFromForm(ctx, req, auth, clientId, await readCheckedForm(auth, req));
}

/**
 * Approves a client named by its id (the technician's "approval needed" page shows it): clients attached to none of
 * an admin's tenants are not listed to them, so this is how an MSP admin or owner approves a client that is new.
 */
export async function approveClientByIdForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
): Promise<Response> {
  const form = await readCheckedForm(auth, req);
  const clientId = (form.get("client_id") ?? "").trim();
  if (!clientId || clientId.length > 2000) throw new AdminError("invalid_request", "enter the client ID to approve");
  return approveClientFromForm(ctx, req, auth, clientId, form);
}

/** Approves `clientId` for the tenant the form names, then back to the connections page with the outcome. */
async function approveClientFromForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  clientId: string,
  form: URLSearchParams,
): Promise<Response> {
  const tenant = (form.get("tenant") ?? "").trim();
  if (!tenant) throw new AdminError("invalid_request", "choose a tenant to approve the client for");
  const added = await approveClient(ctx, auth.principal, clientId, tenant, req);
  return redirect(`/connections?notice=${added ? "approved" : "already_approved"}`);
}

/**
 * A connections-page form that runs one admin action on a client, then redirects with its notice. The action checks
 * the principal's rights and writes the audit row itself.
 */
function clientActionForm(
  action: (ctx: AppContext, principal: AdminPrincipal, clientId: string, origin: AdminRequest) => Promise<unknown>,
  notice: string,
) {
  return async (ctx: AppContext, req: AdminRequest, auth: Authenticated, clientId: string): Promise<Response> => {
    await readCheckedForm(auth, req);
    await action(ctx, auth.principal, clientId, req);
    return redirect(`/connections?notice=${notice}`);
  };
}

export const restoreClientForm = clientActionForm(restoreClientAsAdmin, "client_restored");
export const deleteClientForm = clientActionForm(deleteClientAsAdmin, "client_deleted");

export async function auditPage(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  const params = new URLSearchParams(req.url.searchParams);
  params.delete("notice");
  const q = parseAuditQuery(params, req.now, "24h");
  if (q.format) throw new AdminError("invalid_request", "use Export to download the log");
  const { principal } = auth;
  await admitNamedTenant(ctx, principal, q.filters.tenantId, req, "audit.query");
  const vis = principal.auditVisibility;
  let page;
  try {
    page = await queryAuditLog(ctx.store.db, vis, q.filters, { cursor: q.cursor, limit: q.limit ?? 50 });
  } catch (err) {
    if (err instanceof AuditCursorError)
      throw new AdminError("invalid_cursor", "that page link is not valid; start from the newest rows");
    throw err;
  }
  const to = q.filters.to ?? req.now;
  const from = q.filters.from ?? (await firstAuditTime(ctx.store.db, vis, q.filters)) ?? to - 24 * 3_600_000;
  const [hourly, chain, directory, tools, outcomes, clients] = await Promise.all([
    countAuditPerHour(ctx.store.db, vis, { ...q.filters, from, to }),
    auditChainStatus(ctx.store.client, req.now),
    loadDirectory(ctx.store.db, principal),
    distinctAuditValues(ctx.store.db, vis, "tool"),
    distinctAuditValues(ctx.store.db, vis, "outcome"),
    distinctAuditValues(ctx.store.db, vis, "clientId"),
  ]);
  const names = await clientNames(ctx.store.db, [...clients, ...page.rows.map((r) => r.clientId)]);
  return htmlResponse(
    renderAudit({
      principal,
      csrf: auth.csrf,
      echo: q.echo,
      rows: page.rows,
      nextCursor: page.nextCursor,
      isFirstPage: !q.cursor,
      chart: renderCallsChart(hourly, from, to),
      chain,
      directory,
      clientNames: names,
      options: { tools, outcomes, clients },
    }),
  );
}

export async function auditDetailPage(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  id: string,
): Promise<Response> {
  const vis = auth.principal.auditVisibility;
  const wellFormed = /^[A-Za-z0-9_-]{1,100}$/.test(id);
  const row = wellFormed ? await findAuditRow(ctx.store.db, vis, id) : null;
  if (!row) {
    // A row that exists outside the caller's scope is a cross-tenant probe: audited, yet answered exactly like a
    // missing row (the same 404), so the page is no oracle for which ids exist.
    const elsewhere = wellFormed && vis !== "all" ? await findAuditRow(ctx.store.db, "all", id) : null;
    if (elsewhere)
      await recordAdminAction(ctx, auth.principal, req, "admin.audit.view", "denied_cross_tenant", {
        detail: { audit_id: id, target_tenant: elsewhere.tenantId },
      });
    throw new AdminError("not_found", "not found or not permitted");
  }
  const [confirmedBy, directory, names] = await Promise.all([
    findConfirmingRows(ctx.store.db, vis, id),
    loadDirectory(ctx.store.db, auth.principal),
    clientNames(ctx.store.db, [row.clientId]),
  ]);
  return htmlResponse(
    renderAuditDetail({ principal: auth.principal, csrf: auth.csrf, row, confirmedBy, directory, clientNames: names }),
  );
}

/** What the admin console reads from the observability feature: the audit stream's lag per sink. */
export type AdminObservability = Pick<ObservabilityServices, "streamLag">;

export async function serversPage(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  observability: AdminObservability,
): Promise<Response> {
  const servers = await buildServerInventory(ctx.store.db, ctx.config, auth.principal.auditVisibility, req.now);
  // The stream spans every tenant's rows, so only the appliance operator sees how far behind it is.
  const streamLag = auth.principal.role === "platform_admin" ? await observability.streamLag() : undefined;
  return htmlResponse(renderServers({ principal: auth.principal, csrf: auth.csrf, servers, streamLag }));
}

export async function tenantsPage(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  void req;
  const [directory, grants] = await Promise.all([
    loadDirectory(ctx.store.db, auth.principal),
    listGrants(ctx.store.db, auth.principal.scope, { includeRevoked: false, limit: 1000 }),
  ]);
  return htmlResponse(renderTenants({ principal: auth.principal, csrf: auth.csrf, directory, grants }));
}

export async function tokensPage(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  created: { name: string; token: string } | null = null,
): Promise<Response> {
  const tokens = await listAdminApiTokens(ctx.store.db, auth.principal.userId);
  return htmlResponse(
    renderTokens({
      principal: auth.principal,
      csrf: auth.csrf,
      tokens,
      created,
      now: req.now,
      adminUrl: req.url.origin,
      notice: noticeOf(req),
    }),
    created ? 201 : 200,
  );
}

export async function createTokenForm(ctx: AppContext, req: AdminRequest, auth: Authenticated): Promise<Response> {
  if (!auth.session) throw new AdminError("forbidden", "API tokens are created from a signed-in browser session");
  const form = await readCheckedForm(auth, req);
  const name = (form.get("name") ?? "").trim();
  // Free text must read back as entered; the store cannot hold a NUL or a lone surrogate (src/shared/text.ts).
  if (!name || name.length > 80 || unstorableTextReason(name) !== null)
    throw new AdminError(
      "invalid_request",
      "give the token a name of 1 to 80 characters, without U+0000 or unpaired surrogates",
    );
  const created = await createAdminApiToken(ctx.store.db, auth.principal.userId, name, req.now);
  await recordAdminAction(ctx, auth.principal, req, "admin.api_token.create", "ok", {
    detail: { token_id: created.id, name },
  });
  // Rendered directly (not redirected) so the raw token is shown once and never lands in a URL or history.
  return tokensPage(ctx, req, auth, { name, token: created.token });
}

export async function revokeTokenForm(
  ctx: AppContext,
  req: AdminRequest,
  auth: Authenticated,
  tokenId: string,
): Promise<Response> {
  await readCheckedForm(auth, req);
  const ok = await revokeAdminApiToken(ctx.store.db, auth.principal.userId, tokenId, req.now);
  await recordAdminAction(ctx, auth.principal, req, "admin.api_token.revoke", ok ? "ok" : "not_found", {
    detail: { token_id: tokenId },
  });
  if (!ok) throw new AdminError("not_found", "not found or not permitted");
  return redirect("/tokens?notice=token_revoked");
}
