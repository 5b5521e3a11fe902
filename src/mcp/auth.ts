import type { AuthInfo } from "@modelcontextprotocol/server";
import type { SurfaceName } from "../config/schema";
import type { AccessContext } from "../oauth/bearer";
import type { CallMeta } from "./audit-event";

/**
 * What the surface needs to know about a verified bearer token: the OAuth feature's `AccessContext`
 * (src/oauth/bearer.ts) without the resource it was checked against, so the verifier's result is passed through as is.
 */
export type SurfaceAccess = Omit<AccessContext, "resource">;

export type ChallengeKind = "missing" | "invalid_token" | "insufficient_scope";

/**
 * The two steps of resource-server auth, kept apart as in the SDK's bearerAuth middleware: verifying a token
 * (signature, audience = this surface, expiry, then the live-grant check so revocation is immediate) and
 * building the RFC 6750 / RFC 9728 challenge Response. Implemented by the OAuth feature
 * (`BearerVerifier.verify` + `bearerChallenge`, src/mcp/index.ts); tests can supply their own.
 */
export interface SurfaceAuth {
  /**
   * Throws an error whose `code` is "invalid_token" for any token that must be refused with 401. `resource` is the
   * endpoint's resource (the surface's path resource, or its own-host resource with server.surface_urls); absent,
   * the surface's canonical resource.
   */
  verify(token: string, surface: SurfaceName, resource?: string): Promise<SurfaceAccess>;
  /** `resourceMetadataUrl`: the PRM of the endpoint that refused; absent, the surface's canonical PRM. */
  challenge(
    surface: SurfaceName,
    kind: ChallengeKind,
    opts?: { scopes?: string[]; description?: string; resourceMetadataUrl?: string },
  ): Response;
}

/** The bearer token from the Authorization header only (RFC 6750 §2.1); query-string tokens are ignored (MCP authorization §"Token Requirements"). */
export function bearerTokenOf(authorization: string | null): string | null {
  if (!authorization) return null;
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization);
  return m ? m[1]! : null;
}

/** What one tools/call carries to the Server's handler: the verified token and the request's audit facts. */
export interface CallAccess {
  access: SurfaceAccess;
  meta: CallMeta;
}

/**
 * The verified token as the SDK's `AuthInfo`, which the SDK hands to request handlers as `ctx.http.authInfo`
 * (MCP 2025-11-25 "Authorization": the token is validated on every request, before anything is served).
 * `token` holds the token's id, not the token: nothing downstream needs the secret.
 */
export function toAuthInfo(access: SurfaceAccess, meta: CallMeta, resource: URL): AuthInfo {
  return {
    token: access.tokenId,
    clientId: access.clientId,
    scopes: access.scopes,
    expiresAt: Math.floor(access.expiresAt / 1000),
    resource,
    extra: { call: { access, meta } satisfies CallAccess },
  };
}

/** The per-call access a handler finds in `ctx.http.authInfo`; null when the request did not pass the surface. */
export function callAccessOf(authInfo: AuthInfo | undefined): CallAccess | null {
  const call = authInfo?.extra?.call as CallAccess | undefined;
  return call?.access && call.meta ? call : null;
}
