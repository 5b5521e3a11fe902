import { SURFACES, type Config, type SurfaceName } from "../config/schema";
import { OAuthError } from "./errors";
import { surfaceOfScope } from "./scopes";

/**
 * Two ways a surface can be reached (docs/mcp-client-compat.md §5.2):
 * - by path on public_url, always: resource `${public_url}/${surface}` (and its `/mcp` alias);
 * - by its own hostname, only when `server.surface_urls.<surface>` is set: resource `${surface_url}/mcp`, routed by
 *   Host. claude.ai completes OAuth but never calls an endpoint whose path is not exactly `/mcp` (claude-ai-mcp#878).
 * Each is a distinct RFC 8707 resource, so a token is audience-bound to one of them and is refused at the other.
 */

/** The surface's own base URL (`server.surface_urls`, normalized to a bare origin), or null. */
export function surfaceBaseUrl(config: Config, surface: SurfaceName): string | null {
  return config.server.surface_urls?.[surface] ?? null;
}

/** The path resource on public_url: `${public_url}/${surface}` (always served). */
export function pathResourceUrl(config: Config, surface: SurfaceName): string {
  return `${config.server.public_url}/${surface}`;
}

/**
 * The canonical resource URL of a surface (RFC 8707 §2), the one to paste into a client: `${surface_url}/mcp` when the
 * surface has its own hostname, else `${public_url}/${surface}`. No trailing slash.
 */
export function resourceUrl(config: Config, surface: SurfaceName): string {
  const base = surfaceBaseUrl(config, surface);
  return base ? `${base}/mcp` : pathResourceUrl(config, surface);
}

/** The PRM of the path resource (RFC 9728 §3.1: path-suffixed well-known URL on public_url). */
export function pathProtectedResourceMetadataUrl(config: Config, surface: SurfaceName): string {
  return `${config.server.public_url}/.well-known/oauth-protected-resource/${surface}`;
}

/** Where the canonical resource's Protected Resource Metadata lives: on the surface's own host when it has one. */
export function protectedResourceMetadataUrl(config: Config, surface: SurfaceName): string {
  const base = surfaceBaseUrl(config, surface);
  return base ? `${base}/.well-known/oauth-protected-resource/mcp` : pathProtectedResourceMetadataUrl(config, surface);
}

const hostTables = new WeakMap<Config, ReadonlyMap<string, SurfaceName>>();

/** Lower-cased host name of a Host header value, port dropped ("[::1]:80" -> "[::1]"). */
function hostnameOfHeader(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

/**
 * The enabled surface whose own hostname a Host header names, or null. Ports are ignored (as in the MCP Host
 * allowlist: a reverse proxy may or may not keep them); the loader guarantees surface host names are distinct.
 */
export function surfaceOfHost(config: Config, host: string | null): SurfaceName | null {
  if (!host || !config.server.surface_urls) return null;
  let table = hostTables.get(config);
  if (!table) {
    const m = new Map<string, SurfaceName>();
    for (const s of enabledSurfaces(config)) {
      const base = surfaceBaseUrl(config, s);
      if (base) m.set(new URL(base).hostname.toLowerCase(), s);
    }
    hostTables.set(config, (table = m));
  }
  return table.get(hostnameOfHeader(host)) ?? null;
}

/** The surface and resource an access token's `aud` names exactly (either of a surface's resources), or null. */
export function surfaceOfAudience(config: Config, aud: string): { surface: SurfaceName; resource: string } | null {
  for (const surface of SURFACES) {
    if (aud === pathResourceUrl(config, surface)) return { surface, resource: aud };
    const base = surfaceBaseUrl(config, surface);
    if (base && aud === `${base}/mcp`) return { surface, resource: aud };
  }
  return null;
}

export function enabledSurfaces(config: Config): SurfaceName[] {
  return SURFACES.filter((s) => config.surfaces[s]);
}

/** `via: "host"` when the resource named the surface's own hostname (server.surface_urls) rather than its path. */
export type ParsedResource = { kind: "surface"; surface: SurfaceName; via?: "host" } | { kind: "origin" };

/**
 * Parses a `resource` parameter (RFC 8707 §2) against our public URL. Tolerates the harmless variants real
 * clients send (docs/mcp-client-compat.md D6): upper-case scheme/host, default port, trailing slash, and the `/mcp`
 * alias of a surface. The bare origin is returned as `origin` (ambiguous across surfaces; the caller decides).
 * Anything else (foreign host, fragment, query, userinfo, unknown or disabled surface, malformed) is invalid_target.
 * Does NOT check scopes.
 */
export function parseResource(config: Config, value: string): ParsedResource {
  const bad = (why: string) => new OAuthError("invalid_target", `the resource parameter ${why}`, 400, true);
  // Control characters and spaces are never part of a URI we issued (RFC 3986 §2).
  if (/[\s\u0000-\u001f\u007f]/.test(value) || value.includes("#"))
    throw bad("must be an absolute URI without a fragment");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("is not an absolute URI");
  }
  const pub = new URL(config.server.public_url);
  if (url.username || url.password || url.search) throw bad("must not carry userinfo or a query");
  const own = config.server.surface_urls ? SURFACES.find((s) => surfaceBaseUrl(config, s) === url.origin) : undefined;
  if (own) {
    // A surface's own host names that surface alone: its bare origin (clients that send the origin, claude-code#52871,
    // or follow that host's root PRM) and `/mcp`, trailing slash tolerated.
    const ownPath = url.pathname.replace(/\/+$/, "");
    if (ownPath !== "" && ownPath !== "/mcp")
      throw bad(`does not name a surface of this server (expected ${url.origin}/mcp)`);
    if (!config.surfaces[own]) throw bad(`names the ${own} surface, which is not enabled`);
    return { kind: "surface", surface: own, via: "host" };
  }
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
export function resolveSurface(
  config: Config,
  resource: string | null | undefined,
  scopes: readonly string[],
): SurfaceName {
  return resolveTarget(config, resource, scopes).surface;
}

/**
 * resolveSurface plus the canonical resource the grant (and so every access token's `aud`) is bound to: the one the
 * client named (path or own-host resource); for the bare public_url origin (that origin's root PRM) the path
 * resource; when `resource` is absent, the surface's canonical resourceUrl.
 */
export function resolveTarget(
  config: Config,
  resource: string | null | undefined,
  scopes: readonly string[],
): { surface: SurfaceName; resource: string } {
  let fromOrigin = false;
  if (resource) {
    const parsed = parseResource(config, resource);
    if (parsed.kind === "surface") {
      return {
        surface: parsed.surface,
        resource: parsed.via === "host" ? resourceUrl(config, parsed.surface) : pathResourceUrl(config, parsed.surface),
      };
    }
    fromOrigin = true;
  }
  const surface = inferSurface(config, scopes);
  return { surface, resource: fromOrigin ? pathResourceUrl(config, surface) : resourceUrl(config, surface) };
}

function inferSurface(config: Config, scopes: readonly string[]): SurfaceName {
  const enabled = enabledSurfaces(config);
  const named = new Set(scopes.map(surfaceOfScope).filter((s): s is SurfaceName => s !== null && enabled.includes(s)));
  if (named.size === 1) return [...named][0]!;
  if (named.size === 0 && enabled.length === 1) return enabled[0]!;
  throw new OAuthError(
    "invalid_target",
    `name the surface to connect with the resource parameter, e.g. ${resourceUrl(config, enabled[0] ?? "cavalier")}`,
    400,
    true,
  );
}
