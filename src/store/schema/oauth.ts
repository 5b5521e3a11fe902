import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * OAuth 2.1 authorization server state. Every secret (client secret, authorization code, refresh token,
 * sign-in session id) is stored only as its SHA-256 hex digest; signing keys' private halves are encrypted
 * under the master secret (src/oauth/keys.ts).
 */

/** Registered clients: dynamic registration (RFC 7591) and fetched Client ID Metadata Documents. */
export const oauthClients = sqliteTable(
  "oauth_clients",
  {
    id: text("id").primaryKey(),
    /** "dcr" (registered here) or "cimd" (client_id is an https URL whose document we fetched). */
    source: text("source", { enum: ["dcr", "cimd"] }).notNull(),
    name: text("name").notNull(),
    /** JSON array of exact redirect URIs. */
    redirectUris: text("redirect_uris").notNull(),
    tokenEndpointAuthMethod: text("token_endpoint_auth_method", {
      enum: ["none", "client_secret_basic", "client_secret_post"],
    }).notNull(),
    secretHash: text("secret_hash"),
    /** The registered metadata as returned to the client (JSON, never containing the secret). */
    metadata: text("metadata").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Set when the client first obtains a token; never-used DCR clients are pruned. */
    lastUsedAt: integer("last_used_at"),
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("oauth_clients_prune_idx").on(t.source, t.lastUsedAt, t.createdAt)],
);

/** Which tenants have had a client approved by a user allowed to approve clients (mayApproveClients). */
export const oauthClientApprovals = sqliteTable(
  "oauth_client_approvals",
  {
    clientId: text("client_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    approvedBy: text("approved_by").notNull(),
    approvedAt: integer("approved_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.tenantId] })],
);

/** A user's authorization of one client for one surface. Access tokens carry its id; revoking it is immediate. */
export const oauthGrants = sqliteTable(
  "oauth_grants",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** The user's tenant at grant time. */
    tenantId: text("tenant_id").notNull(),
    clientId: text("client_id").notNull(),
    surface: text("surface", { enum: ["forge", "cavalier", "aegis"] }).notNull(),
    resource: text("resource").notNull(),
    /** Space-separated granted scopes. */
    scopes: text("scopes").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    index("oauth_grants_user_idx").on(t.userId),
    index("oauth_grants_tenant_idx").on(t.tenantId, t.createdAt),
    index("oauth_grants_client_idx").on(t.clientId),
  ],
);

/** Authorization codes (RFC 6749 §4.1.2): single use, short TTL, consumed with one conditional UPDATE. */
export const oauthCodes = sqliteTable(
  "oauth_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    clientId: text("client_id").notNull(),
    userId: text("user_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    surface: text("surface", { enum: ["forge", "cavalier", "aegis"] }).notNull(),
    resource: text("resource").notNull(),
    scopes: text("scopes").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    codeChallenge: text("code_challenge").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    /** The grant the (first) exchange created: a replayed code revokes it (RFC 6749 §10.5). */
    grantId: text("grant_id"),
  },
  (t) => [index("oauth_codes_expires_idx").on(t.expiresAt)],
);

/**
 * Refresh tokens, rotated on every use. Live per grant: the token used last and the successor(s) issued for it;
 * the first use of a successor retires the rest. A used-then-retired token presented again revokes the grant
 * (OAuth 2.1 §4.3.1). Rules in src/oauth/token.ts.
 */
export const oauthRefreshTokens = sqliteTable(
  "oauth_refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    grantId: text("grant_id").notNull(),
    clientId: text("client_id").notNull(),
    scopes: text("scopes").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    retiredAt: integer("retired_at"),
  },
  (t) => [index("oauth_refresh_grant_idx").on(t.grantId)],
);

/** ES256 signing keys; several appliance processes on one database share them. */
export const oauthSigningKeys = sqliteTable("oauth_signing_keys", {
  kid: text("kid").primaryKey(),
  alg: text("alg").notNull(),
  publicJwk: text("public_jwk").notNull(),
  /** AES-256-GCM ciphertext of the private JWK under a key derived from the master secret. */
  privateJwkEnc: text("private_jwk_enc").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Set when a newer key replaces this one: it stays published until tokens it signed have expired. */
  retiredAt: integer("retired_at"),
  /** Published in JWKS (and accepted) until this time; null while active. */
  publishUntil: integer("publish_until"),
});

/** Browser sign-in sessions on the authorization pages. */
export const oauthSessions = sqliteTable(
  "oauth_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("oauth_sessions_expires_idx").on(t.expiresAt)],
);

/** Failed sign-in counters per account and per address (shared by every process on the database). */
export const oauthLoginThrottle = sqliteTable("oauth_login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStart: integer("window_start").notNull(),
  lockedUntil: integer("locked_until"),
});
