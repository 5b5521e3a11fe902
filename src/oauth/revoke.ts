import { decodeJwt } from "jose";
import { eq } from "drizzle-orm";
import { sha256Hex } from "../shared/crypto";
import { oauthGrants, oauthRefreshTokens } from "../store/schema/oauth";
import { authenticateClient, parseClientCredentials } from "./clients";
import { OAuthError, oauthErrorResponse } from "./errors";
import { revokeGrant } from "./grants";
import { readForm, withCors, type RequestMeta } from "./http";
import type { OAuthDeps } from "./services";
import { surfaceOfAudience } from "./resource";
import { BearerError } from "./bearer";

/**
 * POST /oauth/revoke (RFC 7009). Revoking a refresh token or an access token revokes its whole grant (access
 * tokens are JWTs checked against the grant on every use, so the grant is what can be revoked). A client can
 * revoke only its own tokens (workers-oauth-provider#188): anything else, and unknown tokens, answer 200 with
 * no effect (RFC 7009 §2.2).
 */
export async function handleRevoke(deps: OAuthDeps, request: Request, meta: RequestMeta): Promise<Response> {
  try {
    const form = await readForm(request);
    const client = await authenticateClient(
      deps.ctx.store.db,
      parseClientCredentials(request.headers.get("authorization"), form),
    );
    const token = form.get("token");
    if (!token) throw new OAuthError("invalid_request", "token is missing");
    const grantId =
      (await grantOfRefreshToken(deps, token, client.id)) ?? (await grantOfAccessToken(deps, token, client.id));
    if (grantId) {
      await revokeGrant(deps.ctx, grantId, {
        actor: "client",
        reason: "revoked_by_client",
        requestId: meta.requestId,
        ip: meta.ip,
      });
    } else {
      await deps.ctx.audit.record({
        kind: "oauth",
        action: "oauth.token.revoke",
        outcome: "no_effect",
        requestId: meta.requestId,
        ip: meta.ip,
        clientId: client.id,
      });
    }
    return withCors(new Response(null, { status: 200, headers: { "cache-control": "no-store" } }));
  } catch (err) {
    if (err instanceof OAuthError) return withCors(oauthErrorResponse(err));
    throw err;
  }
}

async function grantOfRefreshToken(deps: OAuthDeps, token: string, clientId: string): Promise<string | null> {
  const [rt] = await deps.ctx.store.db
    .select({ grantId: oauthRefreshTokens.grantId, clientId: oauthRefreshTokens.clientId })
    .from(oauthRefreshTokens)
    .where(eq(oauthRefreshTokens.tokenHash, sha256Hex(token)))
    .limit(1);
  return rt && rt.clientId === clientId ? rt.grantId : null;
}

async function grantOfAccessToken(deps: OAuthDeps, token: string, clientId: string): Promise<string | null> {
  let claims: { aud?: unknown; grant_id?: unknown; client_id?: unknown };
  try {
    claims = decodeJwt(token);
  } catch {
    return null;
  }
  // Verify the signature and audience through the normal verifier for the surface it names.
  const aud = typeof claims.aud === "string" ? claims.aud : null;
  const target = aud === null ? null : surfaceOfAudience(deps.ctx.config, aud);
  if (!target) return null;
  try {
    const access = await deps.services.verifier.verify(token, target.surface, target.resource);
    if (access.clientId !== clientId) return null;
    const [g] = await deps.ctx.store.db
      .select({ id: oauthGrants.id })
      .from(oauthGrants)
      .where(eq(oauthGrants.id, access.grantId))
      .limit(1);
    return g?.id ?? null;
  } catch (err) {
    if (err instanceof BearerError) return null;
    throw err;
  }
}
