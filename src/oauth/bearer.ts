import { eq, sql } from "drizzle-orm";
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Config, Role, SurfaceName } from "../config/schema";
import type { Clock } from "../shared/clock";
import { newId } from "../shared/crypto";
import type { Logger } from "../shared/log";
import type { ChangeSignal } from "../store/change-signal";
import type { Db } from "../store/index";
import { oauthClients, oauthGrants } from "../store/schema/oauth";
import { tenants, users } from "../store/schema/tenancy";
import { SIGNING_ALG, type KeyStore } from "./keys";
import { protectedResourceMetadataUrl, resourceUrl } from "./resource";
import { baselineScopes, splitScopes } from "./scopes";

export { protectedResourceMetadataUrl, resourceUrl };
export { revokeGrant } from "./grants";

/** What a verified access token means; the MCP layer receives it as its `SurfaceAccess` (src/mcp/auth.ts). */
export interface AccessContext {
  grantId: string;
  tokenId: string;
  userId: string;
  email: string;
  userName: string;
  role: Role;
  /** The user's home tenant (the tenant scope is derived from it via tenancy/scope.ts). */
  tenantId: string;
  clientId: string;
  clientName: string;
  surface: SurfaceName;
  resource: string;
  scopes: string[];
  /** ms */
  expiresAt: number;
}

export class BearerError extends Error {
  constructor(
    readonly code: "invalid_token" | "insufficient_scope",
    message: string,
  ) {
    super(message);
    this.name = "BearerError";
  }
}

/** RFC 9068 §2.2 claims we issue, beyond the registered ones. */
interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  scope: string;
  tenant_id: string;
  grant_id: string;
}

export interface AccessTokenInput {
  grantId: string;
  userId: string;
  tenantId: string;
  clientId: string;
  resource: string;
  scopes: string[];
}

/** Signs an RFC 9068 access token (typ at+jwt) with the active key. */
export async function signAccessToken(
  keys: KeyStore,
  config: Config,
  now: number,
  input: AccessTokenInput,
): Promise<{ token: string; jti: string; expiresIn: number }> {
  const { kid, key } = await keys.signingKey();
  const iat = Math.floor(now / 1000);
  const expiresIn = config.oauth.access_token_ttl_seconds;
  const jti = newId("at");
  const claims: Omit<AccessTokenClaims, keyof JWTPayload> & JWTPayload = {
    client_id: input.clientId,
    scope: input.scopes.join(" "),
    tenant_id: input.tenantId,
    grant_id: input.grantId,
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid })
    .setIssuer(config.server.public_url)
    .setAudience(input.resource)
    .setSubject(input.userId)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .sign(key);
  return { token, jti, expiresIn };
}

/**
 * ONE indexed query (primary keys only) per MCP request: grant joined to its user, the user's tenant and the
 * client, so a revocation, a disabled user/tenant or a deleted client written by any process is seen at once.
 */
function prepareLiveGrant(db: Db) {
  return db
    .select({
      revokedAt: oauthGrants.revokedAt,
      grantUserId: oauthGrants.userId,
      grantTenantId: oauthGrants.tenantId,
      grantClientId: oauthGrants.clientId,
      surface: oauthGrants.surface,
      email: users.email,
      userName: users.name,
      role: users.role,
      userTenantId: users.tenantId,
      userDisabled: users.disabled,
      tenantDisabled: tenants.disabled,
      clientName: oauthClients.name,
      clientDeletedAt: oauthClients.deletedAt,
    })
    .from(oauthGrants)
    .innerJoin(users, eq(users.id, oauthGrants.userId))
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientId))
    .where(eq(oauthGrants.id, sql.placeholder("grantId")))
    .limit(1)
    .prepare();
}
type LiveGrantRow = Awaited<ReturnType<ReturnType<typeof prepareLiveGrant>["execute"]>>[number];

/**
 * Verifies bearer tokens for the MCP surfaces. Constructed once at start (keys imported once, the live-grant
 * query prepared once), handed by src/features.ts to the MCP and observability features.
 */
export class BearerVerifier {
  private readonly liveGrant: ReturnType<typeof prepareLiveGrant>;
  private readonly touched = new Map<string, number>();
  /**
   * Tokens whose signature and claims already verified, keyed by resource + token, until they expire: an ES256
   * verification costs ~100 µs per call and a client repeats the same token for an hour. Only the signature
   * work is cached; the live-grant check below still runs on every request, so revocation stays immediate.
   */
  private readonly verified = new Map<string, AccessTokenClaims>();
  private static readonly VERIFIED_MAX = 5_000;
  /** Lookups in `verified`, read by the metrics endpoint (src/observability/metrics.ts). */
  readonly cacheStats = { hits: 0, misses: 0 };
  /**
   * Live-grant rows by grant id, valid only while the database's data version stays `grantsAt`: any commit by any
   * connection (a revocation in another process, this process's own writes) moves the version and empties the
   * cache before the row is used, so a revocation is still refused on the very next request. Without a change
   * signal (a libSQL server URL) nothing is cached and every request runs the query.
   */
  private readonly grants = new Map<string, LiveGrantRow>();
  private grantsAt = -1;
  private static readonly GRANTS_MAX = 5_000;
  /** Live-grant lookups answered from `grants` vs by the query; read by tests and the bench. */
  readonly grantCacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly config: Config,
    private readonly db: Db,
    private readonly keys: KeyStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly changes: ChangeSignal | null = null,
  ) {
    this.liveGrant = prepareLiveGrant(db);
  }

  /**
   * Verifies signature (cached keys), typ at+jwt (RFC 9068 §4), iss, aud === the resource of `surface`
   * (RFC 8707; docs/mcp-client-compat.md F2), exp; then the live-grant check. Does NOT check scopes: the caller
   * knows which scope an operation needs and answers insufficient_scope itself. Throws BearerError("invalid_token").
   */
  async verify(
    token: string,
    surface: SurfaceName,
    resource: string = resourceUrl(this.config, surface),
  ): Promise<AccessContext> {
    // `resource` is the endpoint's own resource: the path one on public_url or, with server.surface_urls, the
    // surface's own host. Tokens are audience-bound to exactly one of them (RFC 8707 §2;
    // docs/mcp-client-compat.md F2).
    const cacheKey = `${resource} ${token}`;
    let payload: AccessTokenClaims;
    const cached = this.verified.get(cacheKey);
    if (cached && (cached.exp ?? 0) * 1000 > this.clock() + 5_000) {
      this.cacheStats.hits++;
      payload = cached;
    } else {
      this.cacheStats.misses++;
      if (cached) this.verified.delete(cacheKey);
      payload = await this.verifySignatureAndClaims(token, resource);
      if (this.verified.size >= BearerVerifier.VERIFIED_MAX) this.verified.clear();
      this.verified.set(cacheKey, payload);
    }
    return await this.checkLiveGrant(payload, surface, resource);
  }

  /** jose verification of the JWT itself (RFC 9068 §4). Throws BearerError("invalid_token"). */
  private async verifySignatureAndClaims(token: string, resource: string): Promise<AccessTokenClaims> {
    let payload: AccessTokenClaims;
    try {
      const result = await jwtVerify<AccessTokenClaims>(
        token,
        async (header) => {
          const key = await this.keys.verificationKey(header.kid);
          if (!key) throw new BearerError("invalid_token", "the token was signed by an unknown key");
          return key;
        },
        {
          issuer: this.config.server.public_url,
          audience: resource,
          algorithms: [SIGNING_ALG],
          typ: "at+jwt",
          currentDate: new Date(this.clock()),
          clockTolerance: 5,
          requiredClaims: ["sub", "jti", "exp", "iat", "client_id", "grant_id"],
        },
      );
      payload = result.payload;
    } catch (err) {
      if (err instanceof BearerError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new BearerError("invalid_token", "the access token has expired");
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === "aud") {
        throw new BearerError("invalid_token", `the access token was not issued for ${resource}`);
      }
      throw new BearerError("invalid_token", "the access token is invalid");
    }
    if (
      typeof payload.grant_id !== "string" ||
      typeof payload.client_id !== "string" ||
      typeof payload.sub !== "string"
    ) {
      throw new BearerError("invalid_token", "the access token is invalid");
    }
    return payload;
  }

  /** The per-request, uncached half: the grant must still be live in the store (any process may have revoked it). */
  private async checkLiveGrant(
    payload: AccessTokenClaims,
    surface: SurfaceName,
    resource: string,
  ): Promise<AccessContext> {
    if (
      typeof payload.grant_id !== "string" ||
      typeof payload.client_id !== "string" ||
      typeof payload.sub !== "string"
    ) {
      throw new BearerError("invalid_token", "the access token is invalid");
    }
    const row = await this.liveGrantRow(payload.grant_id);
    if (
      !row ||
      row.revokedAt !== null ||
      row.userDisabled ||
      row.tenantDisabled ||
      row.clientDeletedAt !== null ||
      row.grantUserId !== payload.sub ||
      row.grantClientId !== payload.client_id ||
      row.grantTenantId !== row.userTenantId ||
      row.surface !== surface
    ) {
      throw new BearerError("invalid_token", "the access token has been revoked");
    }
    this.touch(payload.grant_id);
    return {
      grantId: payload.grant_id,
      tokenId: payload.jti!,
      userId: payload.sub,
      email: row.email,
      userName: row.userName,
      role: row.role,
      tenantId: row.userTenantId,
      clientId: payload.client_id,
      clientName: row.clientName,
      surface,
      resource,
      scopes: splitScopes(payload.scope),
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  }

  /** The grant's row, from the cache while the data version has not moved since it was read, else the store. */
  private async liveGrantRow(grantId: string): Promise<LiveGrantRow | undefined> {
    if (!this.changes) return (await this.liveGrant.execute({ grantId }))[0];
    // The version is read BEFORE the row: a commit landing between the two makes the row newer than the version it
    // is filed under, never older, so the next request sees the version move and reads again.
    const version = this.changes.version();
    if (version !== this.grantsAt) {
      this.grants.clear();
      this.grantsAt = version;
    }
    const cached = this.grants.get(grantId);
    if (cached) {
      this.grantCacheStats.hits++;
      return cached;
    }
    this.grantCacheStats.misses++;
    const [row] = await this.liveGrant.execute({ grantId });
    if (row && version === this.grantsAt) {
      if (this.grants.size >= BearerVerifier.GRANTS_MAX) this.grants.clear();
      this.grants.set(grantId, row);
    }
    return row;
  }

  /** grants.last_used_at, written at most once a minute per grant per process, off the request path. */
  private touch(grantId: string): void {
    const now = this.clock();
    const last = this.touched.get(grantId);
    if (last !== undefined && now - last < 60_000) return;
    this.touched.set(grantId, now);
    if (this.touched.size > 10_000) this.touched.clear();
    this.db
      .update(oauthGrants)
      .set({ lastUsedAt: now })
      .where(
        sql`${oauthGrants.id} = ${grantId} AND (${oauthGrants.lastUsedAt} IS NULL OR ${oauthGrants.lastUsedAt} < ${now - 60_000})`,
      )
      .catch((err: unknown) => this.log.warn("could not update grant last_used_at", { grant_id: grantId, error: err }));
  }
}

function quoteParam(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, " ")}"`;
}

/**
 * The complete RFC 6750 §3 / RFC 9728 §5.1 challenge Response for a surface:
 * - missing: 401, `Bearer resource_metadata="…", scope="<baseline>"`, no error= (RFC 6750 §3.1);
 * - invalid_token: 401 with error="invalid_token" and a description;
 * - insufficient_scope: 403 with error="insufficient_scope" and scope= listing ALL scopes the operation needs,
 *   so the client steps up in one round trip (MCP 2025-11-25 SEP-835).
 * Body is RFC 6749-style JSON; Cache-Control: no-store.
 */
export function bearerChallenge(
  config: Config,
  surface: SurfaceName,
  kind: "missing" | "invalid_token" | "insufficient_scope",
  opts: { scopes?: string[]; description?: string; resourceMetadataUrl?: string } = {},
): Response {
  // resourceMetadataUrl: the PRM of the endpoint that refused (path PRM on public_url, or the surface host's).
  const params = [
    `resource_metadata=${quoteParam(opts.resourceMetadataUrl ?? protectedResourceMetadataUrl(config, surface))}`,
  ];
  const scopes = opts.scopes && opts.scopes.length > 0 ? opts.scopes : baselineScopes(surface);
  const description =
    opts.description ??
    (kind === "missing"
      ? "an access token is required"
      : kind === "invalid_token"
        ? "the access token is invalid, expired or revoked"
        : `this operation needs the scope ${scopes.join(" ")}`);
  if (kind !== "missing") {
    params.unshift(`error=${quoteParam(kind)}`);
    params.push(`error_description=${quoteParam(description)}`);
  }
  params.push(`scope=${quoteParam(scopes.join(" "))}`);
  const status = kind === "insufficient_scope" ? 403 : 401;
  const body =
    kind === "missing"
      ? { error: "unauthorized", error_description: description }
      : { error: kind, error_description: description };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "www-authenticate": `Bearer ${params.join(", ")}`,
    },
  });
}
