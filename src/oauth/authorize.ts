import { eq } from "drizzle-orm";
import type { SurfaceName } from "../config/schema";
import { constantTimeEqual, randomToken, sha256Hex } from "../shared/crypto";
import { TenantScope } from "../tenancy/scope";
import { oauthCodes } from "../store/schema/oauth";
import { tenants, users } from "../store/schema/tenancy";
import { findClient, type OAuthClient } from "./clients";
import { isCimdClientId } from "./cimd";
import { OAuthError } from "./errors";
import { approveClientForTenant, isClientApprovedForTenant } from "./grants";
import { readForm, repeatedParam, type RequestMeta } from "./http";
import { consentPage, errorPage, notApprovedPage, signInPage } from "./pages";
import { validateCodeChallenge } from "./pkce";
import { isLoopbackRedirect, matchRedirectUri } from "./redirect-uri";
import { resolveTarget } from "./resource";
import {
  baselineScopes,
  describeScope,
  OFFLINE_ACCESS,
  REFRESH_TOKENS_ALWAYS_ISSUED,
  splitScopes,
  surfaceOfScope,
  surfaceTitle,
} from "./scopes";
import type { OAuthDeps } from "./services";
import {
  consentBinding,
  cookieHeader,
  createSession,
  csrfTokenFor,
  csrfValid,
  SESSION_TTL_MS,
  sessionUserId,
} from "./session";
import { checkPasswordSignIn } from "./throttle";
import { mayApproveClients } from "../tenancy/scope";

/** The authorization request parameters we carry through sign-in and consent (RFC 6749 §4.1.1, RFC 7636, RFC 8707). */
const AUTHZ_PARAMS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "resource",
] as const;

export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | null;
  surface: SurfaceName;
  resource: string;
  scopes: string[];
  codeChallenge: string;
  /** The original parameters, re-posted by the sign-in and consent forms and re-validated each time. */
  fields: Record<string, string>;
}

/** A validated request, or the Response to send instead (local error page, or an error redirect). */
type Prepared = { ok: true; req: AuthorizationRequest } | { ok: false; response: Response };

function pickFields(params: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const k of AUTHZ_PARAMS) {
    const v = params.get(k);
    if (v !== null) fields[k] = v;
  }
  return fields;
}

/** RFC 6749 §4.1.2 / RFC 9207 §2: append code or error, state and iss to the validated redirect URI. */
export function redirectWith(redirectUri: string, values: Record<string, string | null>, status = 302): Response {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== null) q.append(k, v);
  const location = `${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${q.toString()}`;
  return new Response(null, { status, headers: { location, "cache-control": "no-store" } });
}

async function resolveClient(deps: OAuthDeps, clientId: string): Promise<OAuthClient> {
  if (isCimdClientId(clientId)) return deps.services.cimd.resolve(clientId, deps.ctx.clock());
  const client = await findClient(deps.ctx.store.db, clientId);
  if (!client) throw new OAuthError("invalid_client", "unknown client_id: the application must register again");
  return client;
}

/**
 * Validates an authorization request. Client and redirect URI first: until both are known good, every error is
 * rendered locally and nothing redirects (RFC 6749 §4.1.2.1; docs/mcp-client-compat.md D1). After that, errors go back to
 * the client's redirect URI with state and iss.
 */
export async function prepareAuthorization(
  deps: OAuthDeps,
  params: URLSearchParams,
  redirectStatus = 302,
): Promise<Prepared> {
  const { config } = deps.ctx;
  const local = (err: OAuthError) => ({
    ok: false as const,
    response: errorPage(err.code, err.description, err.status === 401 ? 400 : err.status),
  });
  const twice = repeatedParam(params, ["client_id", "redirect_uri"]);
  if (twice) return local(new OAuthError("invalid_request", `${twice} was given more than once`));
  const clientId = params.get("client_id");
  if (!clientId) return local(new OAuthError("invalid_request", "client_id is missing"));
  let client: OAuthClient;
  try {
    client = await resolveClient(deps, clientId);
  } catch (err) {
    if (err instanceof OAuthError) return local(err);
    throw err;
  }
  const requested = params.get("redirect_uri");
  let redirectUri: string | null;
  if (requested === null) {
    // OAuth 2.1 §4.1.1: optional only when exactly one is registered.
    redirectUri = client.redirectUris.length === 1 ? client.redirectUris[0]! : null;
    if (!redirectUri) return local(new OAuthError("invalid_request", "redirect_uri is required for this client"));
  } else {
    redirectUri = matchRedirectUri(requested, client.redirectUris);
    if (!redirectUri) return local(new OAuthError("invalid_request", "redirect_uri is not registered for this client"));
  }
  const state = params.get("state");
  try {
    const dup = repeatedParam(params, AUTHZ_PARAMS);
    if (dup) throw new OAuthError("invalid_request", `${dup} was given more than once`, 400, true);
    if (params.get("response_type") !== "code") {
      throw new OAuthError("unsupported_response_type", "response_type must be code", 400, true);
    }
    const codeChallenge = validateCodeChallenge(params.get("code_challenge"), params.get("code_challenge_method"));
    const requestedScopes = splitScopes(params.get("scope"));
    const unknown = requestedScopes.filter((s) => s !== OFFLINE_ACCESS && surfaceOfScope(s) === null);
    if (unknown.length > 0) throw new OAuthError("invalid_scope", `unknown scope: ${unknown.join(" ")}`, 400, true);
    const { surface, resource } = resolveTarget(config, params.get("resource"), requestedScopes);
    const surfaceRequested = requestedScopes.filter((s) => surfaceOfScope(s) !== null);
    // docs/mcp-client-compat.md D10: other surfaces' scopes are dropped (claude.ai asks for the AS's scopes_supported verbatim).
    let scopes = [...new Set(surfaceRequested.filter((s) => surfaceOfScope(s) === surface))];
    if (surfaceRequested.length === 0) scopes = baselineScopes(surface);
    if (scopes.length === 0)
      throw new OAuthError("invalid_scope", `none of the requested scopes apply to ${resource}`, 400, true);
    return {
      ok: true,
      req: { client, redirectUri, state, surface, resource, scopes, codeChallenge, fields: pickFields(params) },
    };
  } catch (err) {
    if (err instanceof OAuthError) {
      return {
        ok: false,
        response: redirectWith(
          redirectUri,
          { error: err.code, error_description: err.description, state, iss: config.server.public_url },
          redirectStatus,
        ),
      };
    }
    throw err;
  }
}

interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: "platform_admin" | "msp_admin" | "individual_owner" | "technician";
  tenantId: string;
}

async function activeUser(deps: OAuthDeps, userId: string): Promise<SignedInUser | null> {
  const [row] = await deps.ctx.store.db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      tenantId: users.tenantId,
      disabled: users.disabled,
      tenantDisabled: tenants.disabled,
    })
    .from(users)
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row || row.disabled || row.tenantDisabled) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role, tenantId: row.tenantId };
}

/** The path part of public_url ("" unless a reverse proxy mounts the appliance under a prefix). */
function basePath(deps: OAuthDeps): string {
  return new URL(deps.ctx.config.server.public_url).pathname.replace(/\/+$/, "");
}

function renderSignIn(
  deps: OAuthDeps,
  request: Request,
  req: AuthorizationRequest,
  extra: { error?: string; email?: string; status?: number } = {},
) {
  const csrf = csrfTokenFor(deps.ctx.config, request);
  return signInPage({
    basePath: basePath(deps),
    clientName: req.client.name,
    surfaceTitle: surfaceTitle(req.surface),
    fields: req.fields,
    csrf: csrf.token,
    setCookies: csrf.setCookie ? [csrf.setCookie] : [],
    ...extra,
  });
}

/** The fields every `oauth.consent` audit row of this request shares. */
function consentEvent(meta: RequestMeta, req: AuthorizationRequest, user: SignedInUser) {
  return {
    kind: "oauth" as const,
    requestId: meta.requestId,
    ip: meta.ip,
    userId: user.id,
    tenantId: user.tenantId,
    clientId: req.client.id,
    surface: req.surface,
  };
}

/**
 * Guard for both the consent page and its POST: a user who may not approve clients can consent only to a client
 * already approved for their tenant. Otherwise the refusal is audited and the "approval needed" page is the answer.
 */
async function refuseUnapprovedClient(
  deps: OAuthDeps,
  meta: RequestMeta,
  req: AuthorizationRequest,
  user: SignedInUser,
): Promise<Response | null> {
  if (await userMayConsent(deps, user, req.client.id)) return null;
  await deps.ctx.audit.record({
    ...consentEvent(meta, req, user),
    action: "oauth.consent",
    outcome: "denied_role",
    detail: { reason: "client not approved for tenant", role: user.role },
  });
  return notApprovedPage({
    clientName: req.client.name,
    clientId: req.client.id,
    tenantId: user.tenantId,
    userEmail: user.email,
  });
}

async function renderConsent(
  deps: OAuthDeps,
  request: Request,
  meta: RequestMeta,
  req: AuthorizationRequest,
  user: SignedInUser,
  setCookies: string[] = [],
): Promise<Response> {
  const notApproved = await refuseUnapprovedClient(deps, meta, req, user);
  if (notApproved) return notApproved;
  const csrf = csrfTokenFor(deps.ctx.config, request);
  const redirect = new URL(req.redirectUri);
  const loopbackOnly = req.client.redirectUris.every((r) => {
    try {
      return isLoopbackRedirect(new URL(r));
    } catch {
      return false;
    }
  });
  return consentPage({
    basePath: basePath(deps),
    clientName: req.client.name,
    selfAsserted: req.client.source === "dcr",
    clientId: req.client.id,
    redirectHost: redirect.host,
    loopbackOnly,
    surfaceTitle: surfaceTitle(req.surface),
    resource: req.resource,
    scopeDescriptions: req.scopes.map(describeScope),
    staysSignedIn: REFRESH_TOKENS_ALWAYS_ISSUED,
    idleDays: Math.round(deps.ctx.config.oauth.refresh_token_ttl_seconds / 86400),
    userEmail: user.email,
    fields: req.fields,
    csrf: csrf.token,
    binding: consentBinding(csrf.token, user.id, req.fields),
    setCookies: [...setCookies, ...(csrf.setCookie ? [csrf.setCookie] : [])],
  });
}

/** A role that may approve clients may always consent; a technician only to a client already approved for their tenant. */
async function userMayConsent(deps: OAuthDeps, user: SignedInUser, clientId: string): Promise<boolean> {
  if (mayApproveClients(user.role)) return true;
  return isClientApprovedForTenant(deps.ctx.store.db, clientId, user.tenantId);
}

/** GET /oauth/authorize: validate, then the sign-in page (no session) or the consent page. */
export async function handleAuthorize(deps: OAuthDeps, request: Request, meta: RequestMeta): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const prepared = await prepareAuthorization(deps, params);
  if (!prepared.ok) return prepared.response;
  const userId = await sessionUserId(deps.ctx.store.db, deps.ctx.config, request, deps.ctx.clock());
  const user = userId ? await activeUser(deps, userId) : null;
  if (!user) return renderSignIn(deps, request, prepared.req);
  return renderConsent(deps, request, meta, prepared.req, user);
}

/**
 * The body of a form our own sign-in or consent page posted: read, checked against its CSRF token, and the
 * authorization request it carries validated again from scratch (nothing from the GET is trusted). Errors before the
 * redirect URI is known good are rendered locally; later ones redirect with 303 so the browser follows with a GET.
 */
async function readAuthorizationForm(
  deps: OAuthDeps,
  request: Request,
  formName: "sign-in" | "consent",
): Promise<{ ok: true; form: URLSearchParams; req: AuthorizationRequest } | { ok: false; response: Response }> {
  let form: URLSearchParams;
  try {
    form = await readForm(request);
  } catch (err) {
    if (err instanceof OAuthError) return { ok: false, response: errorPage(err.code, err.description) };
    throw err;
  }
  if (!csrfValid(deps.ctx.config, request, form)) {
    const description = `the ${formName} form expired or was not sent by this site; go back and try again`;
    return { ok: false, response: errorPage("invalid_request", description, 403) };
  }
  const prepared = await prepareAuthorization(deps, form, 303);
  return prepared.ok ? { ok: true, form, req: prepared.req } : prepared;
}

/** POST /oauth/authorize/sign-in */
export async function handleSignIn(deps: OAuthDeps, request: Request, meta: RequestMeta): Promise<Response> {
  const { ctx } = deps;
  const posted = await readAuthorizationForm(deps, request, "sign-in");
  if (!posted.ok) return posted.response;
  const { form, req } = posted;
  const email = (form.get("email") ?? "").trim().toLowerCase().slice(0, 320);
  // What the audit row shows: the email if it looks like one (a password typed into the wrong field must not be kept).
  const auditEmail = /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email) ? email : "[not an email address]";
  const now = ctx.clock();
  const checked = await checkPasswordSignIn(
    { db: ctx.store.db, config: ctx.config, verify: ctx.passwordVerifier },
    { email, password: form.get("password") ?? "", ip: meta.ip },
    now,
  );
  const signInEvent = {
    kind: "oauth" as const,
    action: "oauth.sign_in",
    requestId: meta.requestId,
    ip: meta.ip,
    clientId: req.client.id,
  };
  if (!checked.ok && checked.reason === "locked") {
    await ctx.audit.record({ ...signInEvent, outcome: "throttled", detail: { email: auditEmail } });
    return renderSignIn(deps, request, req, {
      email,
      status: 429,
      error: `Too many failed sign-in attempts. Try again in ${Math.ceil(checked.retryAfterSeconds / 60)} minute(s).`,
    });
  }
  // A user of a disabled tenant cannot sign in either; the answer does not say which check failed.
  const user = checked.ok ? await activeUser(deps, checked.userId) : null;
  if (!user) {
    await ctx.audit.record({
      ...signInEvent,
      outcome: "failed",
      userId: checked.userId,
      detail: { email: auditEmail },
    });
    return renderSignIn(deps, request, req, {
      email,
      status: 401,
      error: "The email or password is not correct, or the account is disabled.",
    });
  }
  const sessionId = await createSession(ctx.store.db, user.id, now);
  await ctx.audit.record({ ...signInEvent, outcome: "ok", userId: user.id, tenantId: user.tenantId });
  const location = `${ctx.config.server.public_url}/oauth/authorize?${new URLSearchParams(req.fields).toString()}`;
  const headers = new Headers({ location, "cache-control": "no-store" });
  headers.append("set-cookie", cookieHeader(ctx.config, "session", sessionId, SESSION_TTL_MS / 1000));
  return new Response(null, { status: 303, headers });
}

/** POST /oauth/authorize/consent: re-validates everything (client, redirect URI, PKCE, resource) before deciding. */
export async function handleConsent(deps: OAuthDeps, request: Request, meta: RequestMeta): Promise<Response> {
  const { ctx } = deps;
  const { config } = ctx;
  const posted = await readAuthorizationForm(deps, request, "consent");
  if (!posted.ok) return posted.response;
  const { form, req } = posted;
  const now = ctx.clock();
  const userId = await sessionUserId(ctx.store.db, config, request, now);
  const user = userId ? await activeUser(deps, userId) : null;
  if (!user) return renderSignIn(deps, request, req, { status: 401, error: "Your sign-in expired. Sign in again." });
  const binding = form.get("binding") ?? "";
  if (!constantTimeEqual(binding, consentBinding(form.get("csrf_token") ?? "", user.id, req.fields))) {
    return errorPage("invalid_request", "the consent form was altered; start the connection again", 403);
  }
  const base = consentEvent(meta, req, user);
  if (form.get("decision") !== "allow") {
    await ctx.audit.record({ ...base, action: "oauth.consent", outcome: "denied", detail: { scopes: req.scopes } });
    return redirectWith(
      req.redirectUri,
      {
        error: "access_denied",
        error_description: "the user denied the request",
        state: req.state,
        iss: config.server.public_url,
      },
      303,
    );
  }
  const notApproved = await refuseUnapprovedClient(deps, meta, req, user);
  if (notApproved) return notApproved;
  if (mayApproveClients(user.role)) {
    const principal = { userId: user.id, role: user.role, tenantId: user.tenantId };
    await approveClientForTenant(ctx, {
      clientId: req.client.id,
      tenantId: user.tenantId,
      approver: principal,
      scope: new TenantScope(principal, [user.tenantId]),
      requestId: meta.requestId,
    });
  }
  const code = randomToken(32);
  await ctx.store.db.insert(oauthCodes).values({
    codeHash: sha256Hex(code),
    clientId: req.client.id,
    userId: user.id,
    tenantId: user.tenantId,
    surface: req.surface,
    resource: req.resource,
    scopes: req.scopes.join(" "),
    redirectUri: req.redirectUri,
    codeChallenge: req.codeChallenge,
    createdAt: now,
    expiresAt: now + config.oauth.authorization_code_ttl_seconds * 1000,
  });
  await ctx.audit.record({
    ...base,
    action: "oauth.consent",
    outcome: "ok",
    detail: { scopes: req.scopes, redirect_host: new URL(req.redirectUri).host },
  });
  return redirectWith(req.redirectUri, { code, state: req.state, iss: config.server.public_url }, 303);
}
