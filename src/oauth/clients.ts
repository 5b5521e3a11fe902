import { type } from "arktype";
import { and, eq, isNull, lt } from "drizzle-orm";
import { constantTimeEqual, randomToken, sha256Hex } from "../shared/crypto";
import type { DbLike } from "../store/index";
import { oauthClientApprovals, oauthClients, oauthCodes } from "../store/schema/oauth";
import { OAuthError } from "./errors";
import { validateRegisteredRedirectUri } from "./redirect-uri";
import { onFirstUse } from "../shared/on-first-use";
import { storableText } from "../shared/string-types";

export type TokenEndpointAuthMethod = "none" | "client_secret_basic" | "client_secret_post";

export interface OAuthClient {
  id: string;
  source: "dcr" | "cimd";
  name: string;
  redirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  secretHash: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

type ClientRow = typeof oauthClients.$inferSelect;

export function clientFromRow(row: ClientRow): OAuthClient {
  return {
    id: row.id,
    source: row.source,
    name: row.name,
    redirectUris: JSON.parse(row.redirectUris) as string[],
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    secretHash: row.secretHash,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}

/** A live (not deleted) client by id, or null. */
export async function findClient(db: DbLike, clientId: string): Promise<OAuthClient | null> {
  const [row] = await db
    .select()
    .from(oauthClients)
    .where(and(eq(oauthClients.id, clientId), isNull(oauthClients.deletedAt)))
    .limit(1);
  return row ? clientFromRow(row) : null;
}

/**
 * RFC 7591 §2 client metadata we act on. Unknown members are dropped (§3.1: the server MAY ignore them).
 * `application_type` (OIDC Registration / 2026-07-28 SEP-837) is accepted without OIDC's redirect rules. Built on the
 * first registration.
 */
const RegistrationRequest = onFirstUse(() => {
  const boundedString = type("0 < string <= 2000");
  return type({
    "+": "delete",
    redirect_uris: boundedString.array().atLeastLength(1).atMostLength(20),
    "token_endpoint_auth_method?": "'none' | 'client_secret_basic' | 'client_secret_post'",
    "grant_types?": type("'authorization_code' | 'refresh_token'").array(),
    "response_types?": type("'code'").array(),
    // Shown on the consent page and the admin console, so it must read back as registered (src/shared/text.ts).
    "client_name?": storableText(200),
    "client_uri?": boundedString,
    "logo_uri?": boundedString,
    "tos_uri?": boundedString,
    "policy_uri?": boundedString,
    "scope?": "string <= 1000",
    "contacts?": boundedString.array().atMostLength(10),
    "software_id?": "string <= 200",
    "software_version?": "string <= 200",
    "application_type?": "'native' | 'web'",
  });
});

export interface RegistrationResult {
  client: OAuthClient;
  /** The RFC 7591 §3.2.1 response body (carries the raw secret exactly once, for confidential clients). */
  response: Record<string, unknown>;
}

/**
 * Open dynamic client registration (RFC 7591 §3). Deliberately not rate-limited per address: Claude registers
 * twice per connect and re-registers often (docs/mcp-client-compat.md C3); never-used clients are pruned instead.
 * The default auth method is client_secret_basic (RFC 7591 §2); a secret is then issued and stored hashed.
 */
export async function registerClient(
  db: DbLike,
  body: unknown,
  clientId: string,
  now: number,
): Promise<RegistrationResult> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new OAuthError("invalid_client_metadata", "the registration request must be a JSON object");
  }
  const redirects = (body as { redirect_uris?: unknown }).redirect_uris;
  if (Array.isArray(redirects)) for (const r of redirects) if (typeof r === "string") validateRegisteredRedirectUri(r);
  const parsed = RegistrationRequest()(body);
  if (parsed instanceof type.errors) {
    const path = parsed[0]?.path?.join(".") || "request";
    const code = path.startsWith("redirect_uris") ? "invalid_redirect_uri" : "invalid_client_metadata";
    throw new OAuthError(code, `${path}: ${parsed[0]?.problem ?? parsed.summary}`);
  }
  const method: TokenEndpointAuthMethod = parsed.token_endpoint_auth_method ?? "client_secret_basic";
  const grantTypes = parsed.grant_types ?? ["authorization_code"];
  if (!grantTypes.includes("authorization_code")) {
    throw new OAuthError("invalid_client_metadata", "grant_types must include authorization_code");
  }
  const secret = method === "none" ? null : randomToken(32);
  const issuedAt = Math.floor(now / 1000);
  const metadata: Record<string, unknown> = {
    redirect_uris: parsed.redirect_uris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: ["code"],
    ...(parsed.client_name ? { client_name: parsed.client_name } : {}),
    ...(parsed.client_uri ? { client_uri: parsed.client_uri } : {}),
    ...(parsed.logo_uri ? { logo_uri: parsed.logo_uri } : {}),
    ...(parsed.tos_uri ? { tos_uri: parsed.tos_uri } : {}),
    ...(parsed.policy_uri ? { policy_uri: parsed.policy_uri } : {}),
    ...(parsed.scope !== undefined ? { scope: parsed.scope } : {}),
    ...(parsed.contacts ? { contacts: parsed.contacts } : {}),
    ...(parsed.software_id ? { software_id: parsed.software_id } : {}),
    ...(parsed.software_version ? { software_version: parsed.software_version } : {}),
    ...(parsed.application_type ? { application_type: parsed.application_type } : {}),
  };
  const row = {
    id: clientId,
    source: "dcr" as const,
    name: parsed.client_name ?? "Unnamed client",
    redirectUris: JSON.stringify(parsed.redirect_uris),
    tokenEndpointAuthMethod: method,
    secretHash: secret ? sha256Hex(secret) : null,
    metadata: JSON.stringify(metadata),
    createdAt: now,
  };
  await db.insert(oauthClients).values(row);
  const response: Record<string, unknown> = {
    client_id: clientId,
    client_id_issued_at: issuedAt,
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    ...metadata,
  };
  return { client: clientFromRow({ ...row, lastUsedAt: null, deletedAt: null }), response };
}

/** Credentials presented at the token or revocation endpoint (RFC 6749 §2.3.1). */
export interface PresentedCredentials {
  basic: { clientId: string; secret: string } | null;
  bodyClientId: string | null;
  bodySecret: string | null;
}

export function parseClientCredentials(authorization: string | null, form: URLSearchParams): PresentedCredentials {
  let basic: PresentedCredentials["basic"] = null;
  if (authorization && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const idx = decoded.indexOf(":");
    if (idx < 0) throw new OAuthError("invalid_client", "malformed Basic credentials", 401);
    try {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
      basic = {
        clientId: decodeURIComponent(decoded.slice(0, idx).replaceAll("+", " ")),
        secret: decodeURIComponent(decoded.slice(idx + 1).replaceAll("+", " ")),
      };
    } catch {
      throw new OAuthError("invalid_client", "malformed Basic credentials", 401);
    }
  }
  return { basic, bodyClientId: form.get("client_id"), bodySecret: form.get("client_secret") };
}

/**
 * Authenticates the client exactly by its registered token_endpoint_auth_method (docs/mcp-client-compat.md E10):
 * a public client presenting a secret, a confidential client without one, or a secret sent by the other
 * method, are all 401 invalid_client. An unknown or deleted client is 401 invalid_client too (docs/mcp-client-compat.md C4: Claude
 * re-registers on that signal).
 */
export async function authenticateClient(db: DbLike, creds: PresentedCredentials): Promise<OAuthClient> {
  if (creds.basic && creds.bodyClientId && creds.bodyClientId !== creds.basic.clientId) {
    throw new OAuthError("invalid_request", "client_id in the body differs from the Basic credentials");
  }
  if (creds.basic && creds.bodySecret) throw new OAuthError("invalid_request", "use one client authentication method");
  const clientId = creds.basic?.clientId ?? creds.bodyClientId;
  if (!clientId) throw new OAuthError("invalid_client", "client authentication is required (client_id)", 401);
  const client = await findClient(db, clientId);
  if (!client) throw new OAuthError("invalid_client", "unknown client; register again", 401);
  const fail = (why: string) => new OAuthError("invalid_client", why, 401);
  switch (client.tokenEndpointAuthMethod) {
    case "none":
      if (creds.basic || creds.bodySecret)
        throw fail("this client is registered as public (token_endpoint_auth_method none) and must not send a secret");
      return client;
    case "client_secret_basic":
      if (!creds.basic) throw fail("this client must authenticate with HTTP Basic (client_secret_basic)");
      if (!client.secretHash || !constantTimeEqual(sha256Hex(creds.basic.secret), client.secretHash))
        throw fail("client authentication failed");
      return client;
    case "client_secret_post":
      if (creds.basic || !creds.bodySecret)
        throw fail("this client must send client_secret in the body (client_secret_post)");
      if (!client.secretHash || !constantTimeEqual(sha256Hex(creds.bodySecret), client.secretHash))
        throw fail("client authentication failed");
      return client;
  }
}

/** Marks a client used (it obtained a token), so pruning keeps it. */
export async function touchClient(db: DbLike, clientId: string, now: number): Promise<void> {
  await db.update(oauthClients).set({ lastUsedAt: now }).where(eq(oauthClients.id, clientId));
}

/**
 * Deletes dynamically registered clients that never obtained a token and are older than `days`
 * (docs/mcp-client-compat.md C3; Claude leaves many such registrations). Returns how many were pruned.
 */
export async function pruneUnusedClients(db: DbLike, days: number, now: number): Promise<number> {
  const cutoff = now - days * 86_400_000;
  const stale = and(
    eq(oauthClients.source, "dcr"),
    isNull(oauthClients.lastUsedAt),
    lt(oauthClients.createdAt, cutoff),
  );
  const victims = await db.select({ id: oauthClients.id }).from(oauthClients).where(stale);
  if (victims.length === 0) return 0;
  for (const v of victims) {
    await db.delete(oauthCodes).where(eq(oauthCodes.clientId, v.id));
    await db.delete(oauthClientApprovals).where(eq(oauthClientApprovals.clientId, v.id));
    await db.delete(oauthClients).where(eq(oauthClients.id, v.id));
  }
  return victims.length;
}
