import type { Config, SurfaceName } from "../config/schema";
import { json } from "../http/responses";
import { withCors } from "./http";
import { enabledSurfaces, pathResourceUrl, surfaceBaseUrl } from "./resource";
import { allScopes, baselineScopes, OFFLINE_ACCESS } from "./scopes";

/**
 * RFC 8414 Authorization Server Metadata, also served as /.well-known/openid-configuration (MCP 2025-11-25
 * clients try both; docs/mcp-client-compat.md B4). `issuer` is public_url byte for byte, as in PRM, JWT iss and the iss redirect
 * parameter (docs/mcp-client-compat.md B3). Endpoints are the /oauth/* URLs; root aliases exist for clients that assume them (docs/mcp-client-compat.md B5).
 */
export function authorizationServerMetadata(config: Config): Record<string, unknown> {
  const issuer = config.server.public_url;
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    // Advertise only what is on: a client that sees registration_endpoint registers (docs/mcp-client-compat.md C1); when it is off it must
    // look for another way (a metadata document or a pasted client ID) instead of hitting a 403.
    ...(config.oauth.dynamic_registration ? { registration_endpoint: `${issuer}/oauth/register` } : {}),
    revocation_endpoint: `${issuer}/oauth/revoke`,
    jwks_uri: `${issuer}/oauth/jwks`,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    scopes_supported: [...allScopes(enabledSurfaces(config)), OFFLINE_ACCESS],
    authorization_response_iss_parameter_supported: true,
    ...(config.oauth.client_id_metadata_documents ? { client_id_metadata_document_supported: true } : {}),
    resource_indicators_supported: true,
  };
}

/**
 * RFC 9728 Protected Resource Metadata of one surface. `resource` equals the URL the well-known suffix was taken
 * from (§3.3): `${public_url}/${surface}`, or `${public_url}/${surface}/mcp` for the /mcp alias document.
 * scopes_supported is the baseline only, never offline_access (docs/mcp-client-compat.md A7).
 */
export function protectedResourceMetadata(
  config: Config,
  surface: SurfaceName,
  alias: "" | "/mcp" = "",
): Record<string, unknown> {
  return {
    resource: `${pathResourceUrl(config, surface)}${alias}`,
    authorization_servers: [config.server.public_url],
    scopes_supported: baselineScopes(surface),
    bearer_methods_supported: ["header"],
    resource_name: `Cavaridge ${surface[0]!.toUpperCase()}${surface.slice(1)}`,
  };
}

/**
 * PRM served on a surface's own hostname (server.surface_urls), or null when it has none. At
 * `/.well-known/oauth-protected-resource/mcp` the resource is `${surface_url}/mcp` (RFC 9728 §3.3: the URL the
 * suffix was taken from); at the root of that host it is the bare `${surface_url}`, which on that host names this
 * one surface (the authorization endpoint maps either to `${surface_url}/mcp`). The authorization server stays
 * public_url.
 */
export function surfaceHostProtectedResourceMetadata(
  config: Config,
  surface: SurfaceName,
  at: "root" | "/mcp",
): Record<string, unknown> | null {
  const base = surfaceBaseUrl(config, surface);
  if (!base) return null;
  return {
    resource: at === "root" ? base : `${base}/mcp`,
    authorization_servers: [config.server.public_url],
    scopes_supported: baselineScopes(surface),
    bearer_methods_supported: ["header"],
    resource_name: `Cavaridge ${surface[0]!.toUpperCase()}${surface.slice(1)}`,
  };
}

/**
 * Root PRM (RFC 9728 §3; docs/mcp-client-compat.md A3), for clients that fall back to it: the resource is the origin, which the authorization endpoint
 * resolves to a surface from the requested scopes (src/oauth/resource.ts resolveSurface).
 */
export function rootProtectedResourceMetadata(config: Config): Record<string, unknown> {
  const surfaces = enabledSurfaces(config);
  if (surfaces.length === 1) return protectedResourceMetadata(config, surfaces[0]!);
  return {
    resource: config.server.public_url,
    authorization_servers: [config.server.public_url],
    scopes_supported: allScopes(surfaces),
    bearer_methods_supported: ["header"],
    resource_name: "Cavaridge",
  };
}

export function metadataResponse(body: Record<string, unknown>): Response {
  return withCors(json(body, 200, { "cache-control": "public, max-age=300" }));
}
