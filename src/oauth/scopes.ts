import { SURFACE_DISPLAY_NAMES, SURFACES, type SurfaceName } from "../config/schema";

/** Scopes per surface. `offline_access` is accepted but not required: refresh tokens are always issued (OAuth 2.1 §6). */
export const OFFLINE_ACCESS = "offline_access";

/**
 * Every authorization_code exchange returns a refresh token, whether or not `offline_access` was asked for.
 * `offline_access` is the scope that asks for a refresh token (OpenID Connect Core 1.0 §11), but refresh tokens are
 * issued without requiring it (docs/mcp-client-compat.md E8, SHOULD): OAuth 2.1 leaves the decision to the AS, MCP
 * clients ask for the scopes of the 401 challenge, which never lists offline_access (docs/mcp-client-compat.md
 * A6/A7), and a connector without a refresh token breaks when its access token expires (minutes), forcing a new
 * sign-in.
 * The consent page therefore always says the connection stays signed in until revoked.
 */
export const REFRESH_TOKENS_ALWAYS_ISSUED = true;

export function surfaceScopes(surface: SurfaceName): string[] {
  return [`${surface}:read`, `${surface}:write`];
}

/**
 * The baseline a client gets when it asks for nothing specific: what the surface needs to work (its read and
 * write tools; destructive tools still need a human confirmation). Used in PRM scopes_supported and the 401
 * challenge (docs/mcp-client-compat.md A6/A7), never including offline_access.
 */
export function baselineScopes(surface: SurfaceName): string[] {
  return surfaceScopes(surface);
}

export function allScopes(enabled: readonly SurfaceName[] = SURFACES): string[] {
  return enabled.flatMap(surfaceScopes);
}

/** The surface a scope string belongs to, or null (offline_access, unknown). */
export function surfaceOfScope(scope: string): SurfaceName | null {
  const m = /^(forge|cavalier|aegis):(read|write)$/.exec(scope);
  return m ? (m[1] as SurfaceName) : null;
}

/** Plain-language explanation shown on the consent page. */
export function describeScope(scope: string): string {
  const surface = surfaceOfScope(scope);
  if (!surface) return scope === OFFLINE_ACCESS ? "Stay connected (refresh access without signing in again)" : scope;
  const what: Record<SurfaceName, string> = {
    forge: "knowledge-base documents",
    cavalier: "quotes, deals, products and contacts",
    aegis: "security findings and posture",
  };
  return scope.endsWith(":read")
    ? `Read your ${what[surface]} (Forge/Cavalier/Aegis data you can see)`.replace(
        "Forge/Cavalier/Aegis",
        surfaceTitle(surface),
      )
    : `Create and change ${what[surface]} in ${surfaceTitle(surface)} (destructive changes still ask you to confirm)`;
}

export function surfaceTitle(surface: SurfaceName): string {
  return SURFACE_DISPLAY_NAMES[surface];
}

export function splitScopes(value: string | null | undefined): string[] {
  return (value ?? "").split(" ").filter((s) => s.length > 0);
}
