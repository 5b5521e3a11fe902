import { and, eq, isNull, ne } from "drizzle-orm";
import { newId, randomToken, sha256Hex } from "../shared/crypto";
import { oauthCodes, oauthGrants, oauthRefreshTokens } from "../store/schema/oauth";
import { signAccessToken } from "./bearer";
import { authenticateClient, parseClientCredentials, touchClient, type OAuthClient } from "./clients";
import { noStoreJson, OAuthError, oauthErrorResponse } from "./errors";
import { revokeGrant } from "./grants";
import { readForm, repeatedParam, withCors, type RequestMeta } from "./http";
import { verifyCodeVerifier } from "./pkce";
import { parseResource, pathResourceUrl, resourceUrl, surfaceBaseUrl } from "./resource";
import { OFFLINE_ACCESS, splitScopes } from "./scopes";
import type { OAuthDeps } from "./services";
import { tenants, users } from "../store/schema/tenancy";

/** One grant type's exchange at the token endpoint, run once the client is authenticated (RFC 6749 §3.2.1). */
type GrantExchange = (
  deps: OAuthDeps,
  client: OAuthClient,
  form: URLSearchParams,
  meta: RequestMeta,
) => Promise<Response>;

/** POST /oauth/token (RFC 6749 §3.2). Every error is RFC 6749 §5.2 JSON with Cache-Control: no-store. */
export async function handleToken(deps: OAuthDeps, request: Request, meta: RequestMeta): Promise<Response> {
  try {
    const form = await readForm(request);
    const dup = repeatedParam(form, [
      "grant_type",
      "code",
      "redirect_uri",
      "code_verifier",
      "refresh_token",
      "scope",
      "client_id",
      "resource",
    ]);
    if (dup) throw new OAuthError("invalid_request", `${dup} was given more than once`);
    const client = await authenticateClient(
      deps.ctx.store.db,
      parseClientCredentials(request.headers.get("authorization"), form),
    );
    const exchange = GRANT_EXCHANGES.get(form.get("grant_type") ?? "");
    if (!exchange)
      throw new OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
    return withCors(await exchange(deps, client, form, meta));
  } catch (err) {
    if (err instanceof OAuthError) return withCors(oauthErrorResponse(err));
    throw err;
  }
}

/**
 * The resource of a token request, if given, must name the grant's surface (RFC 8707 §2.2), and the same one of its
 * resources (path on public_url, or its own hostname): the token's `aud` is the grant's resource either way.
 */
function checkTokenResource(deps: OAuthDeps, form: URLSearchParams, surface: string, grantResource: string): void {
  const resource = form.get("resource");
  if (!resource) return;
  const parsed = parseResource(deps.ctx.config, resource);
  if (parsed.kind !== "surface") return;
  const named =
    parsed.via === "host"
      ? resourceUrl(deps.ctx.config, parsed.surface)
      : pathResourceUrl(deps.ctx.config, parsed.surface);
  // Only a surface with its own hostname has two resources; without one, the check is the surface alone, as before.
  const otherResource = surfaceBaseUrl(deps.ctx.config, parsed.surface) !== null && named !== grantResource;
  if (parsed.surface !== surface || otherResource) {
    throw new OAuthError("invalid_target", "the resource differs from the one this grant was issued for");
  }
}

async function tokenResponse(
  deps: OAuthDeps,
  grant: { id: string; userId: string; tenantId: string; clientId: string; resource: string },
  scopes: string[],
  refreshToken: string,
) {
  const now = deps.ctx.clock();
  const at = await signAccessToken(deps.services.keys, deps.ctx.config, now, {
    grantId: grant.id,
    userId: grant.userId,
    tenantId: grant.tenantId,
    clientId: grant.clientId,
    resource: grant.resource,
    scopes,
  });
  return noStoreJson({
    access_token: at.token,
    token_type: "Bearer",
    expires_in: at.expiresIn,
    refresh_token: refreshToken,
    scope: scopes.join(" "),
  });
}

/**
 * authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6). Client, redirect URI and verifier are checked
 * before the code is consumed, so a wrong redirect or verifier does not burn it (docs/mcp-client-compat.md E1). The
 * code is then consumed with one conditional UPDATE; a second exchange fails with invalid_grant AND revokes the
 * grant the first exchange created (RFC 6749 §10.5; docs/mcp-client-compat.md E3).
 */
const exchangeCode: GrantExchange = async (deps, client, form, meta) => {
  const { ctx } = deps;
  const code = form.get("code");
  if (!code) throw new OAuthError("invalid_request", "code is missing");
  const codeHash = sha256Hex(code);
  const now = ctx.clock();
  const [row] = await ctx.store.db.select().from(oauthCodes).where(eq(oauthCodes.codeHash, codeHash)).limit(1);
  if (!row || row.clientId !== client.id) throw new OAuthError("invalid_grant", "the authorization code is invalid");
  if (row.consumedAt !== null) {
    await replayed(deps, row.grantId, client.id, meta);
    throw new OAuthError("invalid_grant", "the authorization code was already used");
  }
  if (row.expiresAt <= now) throw new OAuthError("invalid_grant", "the authorization code has expired");
  const redirectUri = form.get("redirect_uri");
  // OAuth 2.1 §4.1.3: redirect_uri must be identical to the one in the authorization request (we always bind it).
  if (redirectUri !== null && redirectUri !== row.redirectUri)
    throw new OAuthError("invalid_grant", "redirect_uri differs from the authorization request");
  if (!verifyCodeVerifier(form.get("code_verifier"), row.codeChallenge)) {
    throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge");
  }
  checkTokenResource(deps, form, row.surface, row.resource);
  const grantId = newId("grt");
  const refreshToken = randomToken(32);
  const issued = await ctx.store.db.transaction(async (tx) => {
    const consumed = await tx
      .update(oauthCodes)
      .set({ consumedAt: now, grantId })
      .where(and(eq(oauthCodes.codeHash, codeHash), isNull(oauthCodes.consumedAt)))
      .returning({ codeHash: oauthCodes.codeHash });
    if (consumed.length === 0) return false;
    // The user or tenant may have been disabled since consent.
    const [u] = await tx
      .select({ disabled: users.disabled, tenantDisabled: tenants.disabled, tenantId: users.tenantId })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(users.id, row.userId))
      .limit(1);
    if (!u || u.disabled || u.tenantDisabled || u.tenantId !== row.tenantId)
      throw new OAuthError("invalid_grant", "the user can no longer be granted access");
    await tx.insert(oauthGrants).values({
      id: grantId,
      userId: row.userId,
      tenantId: row.tenantId,
      clientId: client.id,
      surface: row.surface,
      resource: row.resource,
      scopes: row.scopes,
      redirectUri: row.redirectUri,
      createdAt: now,
      lastUsedAt: now,
    });
    await tx.insert(oauthRefreshTokens).values({
      tokenHash: sha256Hex(refreshToken),
      grantId,
      clientId: client.id,
      scopes: row.scopes,
      createdAt: now,
      expiresAt: now + ctx.config.oauth.refresh_token_ttl_seconds * 1000,
    });
    await touchClient(tx, client.id, now);
    return true;
  });
  if (!issued) {
    const [again] = await ctx.store.db
      .select({ grantId: oauthCodes.grantId })
      .from(oauthCodes)
      .where(eq(oauthCodes.codeHash, codeHash))
      .limit(1);
    await replayed(deps, again?.grantId ?? null, client.id, meta);
    throw new OAuthError("invalid_grant", "the authorization code was already used");
  }
  await ctx.audit.record({
    kind: "oauth",
    action: "oauth.grant.create",
    outcome: "ok",
    requestId: meta.requestId,
    ip: meta.ip,
    surface: row.surface,
    userId: row.userId,
    tenantId: row.tenantId,
    clientId: client.id,
    grantId,
    detail: { scopes: splitScopes(row.scopes) },
  });
  return tokenResponse(
    deps,
    { id: grantId, userId: row.userId, tenantId: row.tenantId, clientId: client.id, resource: row.resource },
    splitScopes(row.scopes),
    refreshToken,
  );
};

async function replayed(deps: OAuthDeps, grantId: string | null, clientId: string, meta: RequestMeta): Promise<void> {
  await deps.ctx.audit.record({
    kind: "oauth",
    action: "oauth.code.replay",
    outcome: "denied",
    requestId: meta.requestId,
    ip: meta.ip,
    clientId,
    grantId,
  });
  if (grantId)
    await revokeGrant(deps.ctx, grantId, {
      actor: "system",
      reason: "authorization_code_replay",
      requestId: meta.requestId,
      ip: meta.ip,
    });
}

/**
 * How long the immediately previous refresh token may be presented again after its first use, while its successor
 * has never been used. Two legitimate cases need it, and both happen within seconds: Claude refreshes twice from
 * two egress nodes at (nearly) the same moment (docs/mcp-client-compat.md E6), and a client whose refresh response was lost
 * (connection reset, client-side timeout) retries with the token it still holds. 120 s covers a 60 s client
 * timeout plus a retry. A client that comes back later with the old token has lost its session anyway, and a
 * thief holding the old token must not get a parallel chain: past the window, the old token counts as reuse.
 */
export const REFRESH_GRACE_MS = 120_000;

/** Presenting a retired (or out-of-grace) refresh token: theft or a broken client. Revoke everything. */
async function reuseDetected(
  deps: OAuthDeps,
  grant: { id: string; userId: string; tenantId: string; surface: string },
  clientId: string,
  meta: RequestMeta,
  reason: "retired" | "grace_expired" | "retired_concurrently",
): Promise<never> {
  const { ctx } = deps;
  await ctx.audit.record({
    kind: "oauth",
    action: "oauth.token.reuse_detected",
    outcome: "denied",
    requestId: meta.requestId,
    ip: meta.ip,
    clientId,
    grantId: grant.id,
    userId: grant.userId,
    tenantId: grant.tenantId,
    surface: grant.surface,
    detail: { reason },
  });
  await revokeGrant(ctx, grant.id, {
    actor: "system",
    reason: "refresh_token_reuse",
    requestId: meta.requestId,
    ip: meta.ip,
  });
  throw new OAuthError("invalid_grant", "the refresh token was already used; the grant has been revoked");
}

/**
 * refresh_token grant (RFC 6749 §6; OAuth 2.1 §4.3.1 rotation; RFC 9700 §4.14.2 reuse detection). A grant has a
 * family of refresh tokens. The first use of a token retires every other live token of the grant (its
 * predecessor and unused siblings) and issues a successor. The ONLY token besides the newest that is honoured is
 * the immediately previous one, presented again before its successor was ever used and within REFRESH_GRACE_MS of
 * its first use (double refresh / lost response, docs/mcp-client-compat.md E6); that yields another successor. Presenting any retired token
 * (an older one, or a sibling successor retired because another sibling was used) or the previous one past the
 * grace window revokes the whole grant and writes `oauth.token.reuse_detected`: otherwise a thief who used the
 * previous token in the grace window could start a parallel chain and push the legitimate client out unnoticed.
 * Scope may narrow, never widen (docs/mcp-client-compat.md E7); the new refresh token keeps the original scope (RFC 6749 §6).
 */
const exchangeRefreshToken: GrantExchange = async (deps, client, form, meta) => {
  const { ctx } = deps;
  const presented = form.get("refresh_token");
  if (!presented) throw new OAuthError("invalid_request", "refresh_token is missing");
  const hash = sha256Hex(presented);
  const now = ctx.clock();
  const [rt] = await ctx.store.db
    .select()
    .from(oauthRefreshTokens)
    .where(eq(oauthRefreshTokens.tokenHash, hash))
    .limit(1);
  if (!rt || rt.clientId !== client.id) throw new OAuthError("invalid_grant", "the refresh token is invalid");
  const [grant] = await ctx.store.db
    .select({
      id: oauthGrants.id,
      userId: oauthGrants.userId,
      tenantId: oauthGrants.tenantId,
      clientId: oauthGrants.clientId,
      surface: oauthGrants.surface,
      resource: oauthGrants.resource,
      revokedAt: oauthGrants.revokedAt,
      userDisabled: users.disabled,
      userTenantId: users.tenantId,
      tenantDisabled: tenants.disabled,
    })
    .from(oauthGrants)
    .innerJoin(users, eq(users.id, oauthGrants.userId))
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .where(eq(oauthGrants.id, rt.grantId))
    .limit(1);
  if (!grant || grant.revokedAt !== null) throw new OAuthError("invalid_grant", "the grant has been revoked");
  if (grant.userDisabled || grant.tenantDisabled || grant.userTenantId !== grant.tenantId) {
    throw new OAuthError("invalid_grant", "the user can no longer be granted access");
  }
  if (rt.retiredAt !== null) return reuseDetected(deps, grant, client.id, meta, "retired");
  if (rt.usedAt !== null && now - rt.usedAt > REFRESH_GRACE_MS)
    return reuseDetected(deps, grant, client.id, meta, "grace_expired");
  if (rt.expiresAt <= now) throw new OAuthError("invalid_grant", "the refresh token has expired");
  checkTokenResource(deps, form, grant.surface, grant.resource);
  const held = splitScopes(rt.scopes);
  const asked = form.get("scope");
  let scopes = held;
  if (asked !== null) {
    const wanted = splitScopes(asked).filter((s) => s !== OFFLINE_ACCESS);
    const extra = wanted.filter((s) => !held.includes(s));
    if (extra.length > 0) throw new OAuthError("invalid_scope", `the grant does not include: ${extra.join(" ")}`);
    if (wanted.length > 0) scopes = [...new Set(wanted)];
  }
  const next = randomToken(32);
  const rotated = await ctx.store.db.transaction(async (tx) => {
    // Re-read inside the write transaction (serialized across processes): a concurrent refresh with the same
    // token may have used it a moment ago, and then its successor must not be retired (double refresh).
    const [fresh] = await tx
      .select({ usedAt: oauthRefreshTokens.usedAt, retiredAt: oauthRefreshTokens.retiredAt })
      .from(oauthRefreshTokens)
      .where(eq(oauthRefreshTokens.tokenHash, hash))
      .limit(1);
    if (!fresh || fresh.retiredAt !== null) return "retired_concurrently" as const;
    if (fresh.usedAt !== null && now - fresh.usedAt > REFRESH_GRACE_MS) return "grace_expired" as const;
    // First use of this token: its predecessor and any sibling successors are retired now. A token used before
    // and still live is the "previous" one presented again (lost response): its unused successors stay valid.
    if (fresh.usedAt === null) {
      await tx
        .update(oauthRefreshTokens)
        .set({ retiredAt: now })
        .where(
          and(
            eq(oauthRefreshTokens.grantId, grant.id),
            ne(oauthRefreshTokens.tokenHash, hash),
            isNull(oauthRefreshTokens.retiredAt),
          ),
        );
      await tx.update(oauthRefreshTokens).set({ usedAt: now }).where(eq(oauthRefreshTokens.tokenHash, hash));
    }
    await tx.insert(oauthRefreshTokens).values({
      tokenHash: sha256Hex(next),
      grantId: grant.id,
      clientId: client.id,
      scopes: rt.scopes,
      createdAt: now,
      expiresAt: now + ctx.config.oauth.refresh_token_ttl_seconds * 1000,
    });
    await tx.update(oauthGrants).set({ lastUsedAt: now }).where(eq(oauthGrants.id, grant.id));
    return "rotated" as const;
  });
  // Retired between our read and the write: another request used a newer token meanwhile. Treat as reuse.
  if (rotated !== "rotated") return reuseDetected(deps, grant, client.id, meta, rotated);
  await ctx.audit.record({
    kind: "oauth",
    action: "oauth.token.refresh",
    outcome: "ok",
    requestId: meta.requestId,
    ip: meta.ip,
    surface: grant.surface,
    userId: grant.userId,
    tenantId: grant.tenantId,
    clientId: client.id,
    grantId: grant.id,
    detail: { scopes },
  });
  return tokenResponse(deps, grant, scopes, next);
};

/** The grant types this server supports (RFC 6749 §4.1.3 and §6); any other is unsupported_grant_type (§5.2). */
const GRANT_EXCHANGES = new Map<string, GrantExchange>([
  ["authorization_code", exchangeCode],
  ["refresh_token", exchangeRefreshToken],
]);
