import type { AppContext } from "../context";
import { MAX_REQUEST_BODY_BYTES, readCappedBytes } from "../http/read-capped-body";
import { json } from "../http/responses";
import { isLoopbackHost } from "../config/load";
import { findAdminApiTokenUser } from "./api-tokens";
import { AdminError } from "./errors";
import { loadAdminPrincipal, type AdminPrincipal } from "./principal";
import {
  csrfTokenFor,
  findAdminSession,
  parseCookies,
  SESSION_COOKIE,
  verifyCsrfToken,
  type AdminSession,
} from "./session";

/** One admin request, as plain data (built in index.ts from the framework's context). */
export interface AdminRequest {
  request: Request;
  url: URL;
  ip: string;
  requestId: string;
  now: number;
  cookies: Map<string, string>;
  /** The page is served over https (directly, or behind a trusted proxy that says so). */
  secure: boolean;
}

export function adminRequest(ctx: AppContext, request: Request, ip: string, requestId: string): AdminRequest {
  const url = new URL(request.url);
  const forwardedProto = ctx.config.server.trusted_proxies > 0 ? request.headers.get("x-forwarded-proto") : null;
  return {
    request,
    url,
    ip,
    requestId,
    now: ctx.clock(),
    cookies: parseCookies(request.headers.get("cookie")),
    secure: url.protocol === "https:" || forwardedProto === "https",
  };
}

/** A signed-in caller: the principal, and the session when the caller came through the browser. */
export interface Authenticated {
  principal: AdminPrincipal;
  session: AdminSession | null;
  /** CSRF token to embed in forms (sessions only). */
  csrf: string | null;
}

/**
 * Authenticates a request by `Authorization: Bearer <admin API token>` or by the session cookie.
 * Returns null when neither is present or valid (the caller decides: redirect to sign-in, or 401).
 */
export async function authenticateAdmin(ctx: AppContext, req: AdminRequest): Promise<Authenticated | null> {
  const authorization = req.request.headers.get("authorization");
  if (authorization !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return null;
    const found = await findAdminApiTokenUser(ctx.store.db, m[1]!, req.now);
    if (!found) return null;
    const principal = await loadAdminPrincipal(ctx.store.db, found.userId, "api_token");
    return principal ? { principal, session: null, csrf: null } : null;
  }
  const sid = req.cookies.get(SESSION_COOKIE);
  if (!sid) return null;
  const session = await findAdminSession(ctx.store.db, sid, req.now);
  if (!session) return null;
  const principal = await loadAdminPrincipal(ctx.store.db, session.userId, "session");
  return principal ? { principal, session, csrf: csrfTokenFor(session.id) } : null;
}

/**
 * CSRF defence for a state-changing request from a session: the synchronizer token (form field `csrf` or header
 * `X-CSRF-Token`) must match the session's, and an Origin header, when present, must be this listener's own
 * (OWASP CSRF cheat sheet, "Verifying origin with standard headers"). API-token requests carry no ambient
 * credentials and need neither.
 */
export function requireCsrf(auth: Authenticated, req: AdminRequest, presented: string | null): void {
  if (!auth.session) return;
  const origin = req.request.headers.get("origin");
  if (origin !== null && origin !== req.url.origin)
    throw new AdminError("csrf_failed", "the request came from another origin");
  if (!verifyCsrfToken(auth.session.id, presented))
    throw new AdminError("csrf_failed", "the form expired or did not come from this page; reload and try again");
}

/**
 * DNS-rebinding guard: on a loopback listener, a Host header naming anything but a loopback address means a
 * browser was pointed here through someone else's hostname. With admin.allow_remote the operator chose the names.
 */
export function hostAllowed(ctx: AppContext, req: AdminRequest): boolean {
  if (ctx.config.admin.allow_remote) return true;
  const host = req.request.headers.get("host");
  if (!host) return true;
  const name = host.replace(/:\d+$/, "");
  return isLoopbackHost(name);
}

export const NO_STORE = { "cache-control": "no-store" } as const;

/** Security headers of every admin page: no framing, no inline script from elsewhere, no referrer leaks. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "content-security-policy":
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'",
};

export function htmlResponse(
  body: string,
  status = 200,
  extra: Record<string, string> | [string, string][] = {},
): Response {
  const headers = new Headers(PAGE_HEADERS);
  for (const [k, v] of Array.isArray(extra) ? extra : Object.entries(extra)) headers.append(k, v);
  return new Response(body, { status, headers });
}

/** 303 See Other: after a POST, the browser GETs the target (RFC 9110 §15.4.4). */
export function redirect(location: string, setCookies: string[] = []): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const c of setCookies) headers.append("set-cookie", c);
  return new Response(null, { status: 303, headers });
}

export function apiError(err: AdminError): Response {
  return json({ error: err.code, error_description: err.message }, err.status, { ...NO_STORE, ...err.headers });
}

export function apiJson(body: unknown, status = 200): Response {
  return json(body, status, { ...NO_STORE });
}

/**
 * Reads an urlencoded or multipart form body of at most MAX_REQUEST_BODY_BYTES (the admin listener accepts
 * import-sized bodies, so every form caps its own read); a malformed body is a caller mistake, not a 500.
 */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data"))
    throw new AdminError("invalid_request", "expected a form (application/x-www-form-urlencoded)");
  const bytes = await readCappedBytes(request, MAX_REQUEST_BODY_BYTES);
  if (bytes === null) throw new AdminError("too_large", `a form takes at most ${MAX_REQUEST_BODY_BYTES} bytes`);
  try {
    if (type.startsWith("application/x-www-form-urlencoded"))
      return new URLSearchParams(new TextDecoder().decode(bytes));
    const fd = await new Response(bytes, { headers: { "content-type": type } }).formData();
    const out = new URLSearchParams();
    for (const [k, v] of fd) if (typeof v === "string") out.append(k, v);
    return out;
  } catch {
    throw new AdminError("invalid_request", "the form could not be read");
  }
}

/** The body of a state-changing console form, read only after its `csrf` field passed {@link requireCsrf}. */
export async function readCheckedForm(auth: Authenticated, req: AdminRequest): Promise<URLSearchParams> {
  const form = await readForm(req.request);
  requireCsrf(auth, req, form.get("csrf"));
  return form;
}
