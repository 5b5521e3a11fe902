import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import type { SurfaceName } from "../../src/config/schema";
import { approveClientForTenant } from "../../src/oauth/grants";
import { userIdForEmail } from "../../src/tenancy/sync";
import { TenantScope } from "../../src/tenancy/scope";
import { TEST_PASSWORD, type TestAppliance } from "./appliance";

/**
 * Drives the real OAuth flow over HTTP (register -> authorize -> sign-in form -> consent form -> token), so other
 * features' tests get real tokens. Nothing here reaches into the database except the optional pre-approval for
 * technicians (which an admin would otherwise give on the admin page).
 */

/** What the HTTP-only helpers need of an appliance: where it listens and its config (also a compiled binary's). */
export type AppEndpoint = Pick<TestAppliance, "baseUrl" | "config">;

export const TEST_REDIRECT_URI = "http://127.0.0.1:9/callback";

export interface TestClient {
  client_id: string;
  client_secret?: string;
  redirect_uri: string;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  client_id: string;
  grant_id: string;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** A minimal cookie jar for fetch (name=value only; enough for the appliance's own cookies). */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const idx = pair!.indexOf("=");
      if (idx > 0) this.cookies.set(pair!.slice(0, idx).trim(), pair!.slice(idx + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

/** fetch that sends and stores cookies, never following redirects. */
export async function fetchWithJar(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set("cookie", cookie);
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  jar.store(res);
  return res;
}

function unescapeHtml(s: string): string {
  return s
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** The hidden inputs of the first form in an HTML page, as a name -> value record. */
export function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    out[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  return out;
}

export function formBody(fields: Record<string, string>): {
  method: "POST";
  headers: Record<string, string>;
  body: string;
} {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Registers a public client (token_endpoint_auth_method none) through POST /oauth/register. */
export async function registerTestClient(
  app: AppEndpoint,
  metadata: Record<string, unknown> = {},
): Promise<TestClient> {
  const res = await fetch(`${app.baseUrl}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Test Client",
      redirect_uris: [TEST_REDIRECT_URI],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      ...metadata,
    }),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { client_id: string; client_secret?: string; redirect_uris: string[] };
  return { client_id: body.client_id, client_secret: body.client_secret, redirect_uri: body.redirect_uris[0]! };
}

/** Approves a client for a user's home tenant as a platform admin would on the admin page (for technicians). */
export async function approveForUser(app: TestAppliance, clientId: string, email: string): Promise<void> {
  const user = app.config.users.find((u) => u.email === email);
  if (!user) throw new Error(`no test user ${email}`);
  const principal = {
    userId: userIdForEmail("platform@harbor-it.example"),
    role: "platform_admin" as const,
    tenantId: "harbor-it",
  };
  await approveClientForTenant(app.ctx, {
    clientId,
    tenantId: user.tenant,
    approver: principal,
    scope: new TenantScope(principal, [user.tenant]),
  });
}

export interface AuthorizeOptions {
  client: TestClient;
  email: string;
  password?: string;
  surface: SurfaceName;
  scopes?: string[];
  /** Defaults to `${public_url}/${surface}`; pass null to omit. */
  resource?: string | null;
  state?: string;
  challenge?: string;
  decision?: "allow" | "deny";
  jar?: CookieJar;
}

/**
 * Runs authorize -> sign-in -> consent over HTTP and returns the final redirect (to the client's redirect URI)
 * parsed, or throws with the page that stopped the flow.
 */
export async function authorizeViaForms(
  app: AppEndpoint,
  opts: AuthorizeOptions,
): Promise<{ location: URL; verifier: string }> {
  const jar = opts.jar ?? new CookieJar();
  const pkce = pkcePair();
  const params = new URLSearchParams({
    response_type: "code",
    client_id: opts.client.client_id,
    redirect_uri: opts.client.redirect_uri,
    code_challenge: opts.challenge ?? pkce.challenge,
    code_challenge_method: "S256",
    state: opts.state ?? randomBytes(8).toString("hex"),
    scope: (opts.scopes ?? [`${opts.surface}:read`, `${opts.surface}:write`]).join(" "),
  });
  const resource = opts.resource === undefined ? `${app.config.server.public_url}/${opts.surface}` : opts.resource;
  if (resource !== null) params.set("resource", resource);
  let res = await fetchWithJar(jar, `${app.baseUrl}/oauth/authorize?${params}`);
  let html = await res.text();
  if (res.status === 200 && html.includes('action="/oauth/authorize/sign-in"')) {
    res = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...hiddenInputs(html), email: opts.email, password: opts.password ?? TEST_PASSWORD }),
    );
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    res = await fetchWithJar(jar, res.headers.get("location")!);
    html = await res.text();
  }
  if (res.status !== 200 || !html.includes('action="/oauth/authorize/consent"')) {
    if (res.status >= 300 && res.status < 400)
      return { location: new URL(res.headers.get("location")!), verifier: pkce.verifier };
    throw new Error(`consent page not shown: ${res.status} ${html.slice(0, 500)}`);
  }
  res = await fetchWithJar(
    jar,
    `${app.baseUrl}/oauth/authorize/consent`,
    formBody({ ...hiddenInputs(html), decision: opts.decision ?? "allow" }),
  );
  if (res.status !== 303) throw new Error(`consent failed: ${res.status} ${(await res.text()).slice(0, 500)}`);
  return { location: new URL(res.headers.get("location")!), verifier: pkce.verifier };
}

export async function exchangeCode(
  app: AppEndpoint,
  client: TestClient,
  code: string,
  verifier: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const body: Record<string, string> = {
    grant_type: "authorization_code",
    code,
    redirect_uri: client.redirect_uri,
    code_verifier: verifier,
    client_id: client.client_id,
    ...extra,
  };
  return fetch(`${app.baseUrl}/oauth/token`, formBody(body));
}

export async function refreshTokens(
  app: TestAppliance,
  clientId: string,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(
    `${app.baseUrl}/oauth/token`,
    formBody({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId, ...extra }),
  );
}

/**
 * Real tokens for `email` on `surface`: registers a fresh client, signs in, consents and exchanges the code.
 * Technicians get their client pre-approved for their tenant (as an admin would do) unless `approve: false`.
 */
export async function obtainTokens(
  app: TestAppliance,
  opts: {
    email: string;
    surface: SurfaceName;
    scopes?: string[];
    password?: string;
    approve?: boolean;
    client?: TestClient;
    /** The resource to ask for; defaults to `${public_url}/${surface}` (e.g. a server.surface_urls `<url>/mcp`). */
    resource?: string;
  },
): Promise<Tokens> {
  const client = opts.client ?? (await registerTestClient(app));
  const user = app.config.users.find((u) => u.email === opts.email);
  if (user?.role === "technician" && opts.approve !== false) await approveForUser(app, client.client_id, opts.email);
  const { location, verifier } = await authorizeViaForms(app, {
    client,
    email: opts.email,
    password: opts.password,
    surface: opts.surface,
    scopes: opts.scopes,
    resource: opts.resource,
  });
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`authorization failed: ${location.href}`);
  const res = await exchangeCode(app, client, code, verifier);
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as Omit<Tokens, "client_id" | "grant_id">;
  const claims = decodeJwt(body.access_token) as { grant_id?: string };
  return { ...body, client_id: client.client_id, grant_id: claims.grant_id ?? "" };
}

/**
 * An /oauth/authorize URL for `client` with valid defaults (S256 challenge, cavalier resource and scopes, state);
 * `overrides` replace parameters, and a null removes one.
 */
export function buildAuthorizeUrl(
  app: TestAppliance,
  client: TestClient,
  overrides: Record<string, string | null> = {},
): string {
  const params: Record<string, string | null> = {
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    code_challenge: pkcePair().challenge,
    code_challenge_method: "S256",
    state: "st-123",
    scope: "cavalier:read cavalier:write",
    resource: `${app.config.server.public_url}/cavalier`,
    ...overrides,
  };
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, v);
  return `${app.baseUrl}/oauth/authorize?${q}`;
}

/** A controllable clock for expiry tests: starts at the real time, moves only when told. */
export function manualClock(start = Date.now()): { clock: () => number; advance(ms: number): void; now(): number } {
  let t = start;
  return { clock: () => t, advance: (ms) => void (t += ms), now: () => t };
}

/**
 * Plays the browser for an authorization URL built by a real client library: follows the sign-in form, then the
 * consent form, and returns the final redirect to the client (with code or error, state and iss).
 */
export async function completeAuthorizationInBrowser(
  app: TestAppliance,
  authorizationUrl: string | URL,
  opts: { email: string; password?: string; decision?: "allow" | "deny"; jar?: CookieJar },
): Promise<URL> {
  const jar = opts.jar ?? new CookieJar();
  let res = await fetchWithJar(jar, String(authorizationUrl));
  let html = await res.text();
  if (res.status === 200 && html.includes('action="/oauth/authorize/sign-in"')) {
    res = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...hiddenInputs(html), email: opts.email, password: opts.password ?? TEST_PASSWORD }),
    );
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
    res = await fetchWithJar(jar, res.headers.get("location")!);
    html = await res.text();
  }
  if (res.status >= 300 && res.status < 400) return new URL(res.headers.get("location")!);
  if (!html.includes('action="/oauth/authorize/consent"'))
    throw new Error(`no consent page: ${res.status} ${html.slice(0, 300)}`);
  res = await fetchWithJar(
    jar,
    `${app.baseUrl}/oauth/authorize/consent`,
    formBody({ ...hiddenInputs(html), decision: opts.decision ?? "allow" }),
  );
  if (res.status !== 303) throw new Error(`consent failed: ${res.status}`);
  return new URL(res.headers.get("location")!);
}
