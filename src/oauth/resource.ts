import { SURFACES, type Config, type SurfaceName } from "../config/schema";
import { OAuthError } from "./errors";
import { surfaceOfScope } from "./scopes";

/** The canonical resource URL of a surface (RFC 8707 §2): `${public_url}/${surface}`, no trailing slash. */
export function resourceUrl(config: Config, surface: SurfaceName): string {
  return `${config.server.public_url}/${surface}`;
}

/** Where the surface's Protected Resource Metadata lives (RFC 9728 §3.1: path-suffixed well-known URL). */
export function protectedResourceMetadataUrl(config: Config, surface: SurfaceName): string {
  return `${config.server.public_url}/.well-known/oauth-protected-resource/${surface}`;
}

export function enabledSurfaces(config: Config): SurfaceName[] {
  return SURFACES.filter((s) => config.surfaces[s]);
}

export type ParsedResource = { kind: "surface"; surface: SurfaceName } | { kind: "origin" };

/**
 * Parses a `resource` parameter (RFC 8707 §2) against our public URL. Tolerates the harmless variants real
 * clients send (mcp-client-compat D6): upper-case scheme/host, default port, trailing slash, and the `/mcp`
 * alias of a surface. The bare origin is returned as `origin` (ambiguous across surfaces; the caller decides).
 * Anything else (foreign host, fragment, query, userinfo, unknown or disabled surface, malformed) is invalid_target.
 * Does NOT check scopes.
 */
export function parseResource(config: Config, value: string): ParsedResource {
  const bad = (why: string) => new OAuthError("invalid_target", `the resource parameter ${why}`, 400, true);
  // Control characters and spaces are never part of a URI we issued (RFC 3986 §2).
  if (/[\s\u0000-\u001f\u007f]/.test(value) || value.includes("#")) throw bad("must be an absolute URI without a fragment");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("is not an absolute URI");
  }
  const pub = new URL(config.server.public_url);
  if (url.username || url.password || url.search) throw bad("must not carry userinfo or a query");
  if (url.origin !== pub.origin) throw bad("names a server other than this one");
  const base = pub.pathname.replace(/\/+$/, "");
  let path = url.pathname.replace(/\/+$/, "");
  if (base && !(path === base || path.startsWith(`${base}/`))) throw bad("names a server other than this one");
  path = path.slice(base.length);
  if (path === "") return { kind: "origin" };
  const m = /^\/(forge|cavalier|aegis)(\/mcp)?$/.exec(path);
  if (!m) throw bad("does not name a surface of this server (expected /forge, /cavalier or /aegis)");
  const surface = m[1] as SurfaceName;
  if (!config.surfaces[surface]) throw bad(`names the ${surface} surface, which is not enabled`);
  return { kind: "surface", surface };
}

/**
 * Picks the surface an authorization request is for. `resource` wins; when it is absent or the bare origin,
 * the surface is inferred only if every surface-specific requested scope names the same surface (so a client
 * that follows the root PRM still works); otherwise invalid_target.
 */
export function resolveSurface(config: Config, resource: string | null | undefined, scopes: readonly string[]): SurfaceName {
  if (resource) {
    const parsed = parseResource(config, resource);
    if (parsed.kind === "surface") return parsed.surface;
  }
  const enabled = enabledSurfaces(config);
  const named = new Set(scopes.map(surfaceOfScope).filter((s): s is SurfaceName => s !== null && enabled.includes(s)));
  if (named.size === 1) return [...named][0]!;
  if (named.size === 0 && enabled.length === 1) return enabled[0]!;
  throw new OAuthError(
    "invalid_target",
    "name the surface to connect with the resource parameter, e.g. " + resourceUrl(config, enabled[0] ?? "cavalier"),
    400,
    true,
  );
}
