import { Elysia } from "elysia";
import { SURFACES, type SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import { clientIpFor, requestIdFor } from "../http/request-context";
import { bearerChallenge } from "../oauth/bearer";
import { loadMasterSubKey } from "../oauth/keys";
import { surfaceOfHost } from "../oauth/resource";
import type { SurfaceAuth } from "./auth";
import { pruneConfirmations } from "./confirmation";
import type { ToolDefinition } from "./define-tool";
import type { RequestMeta, SurfaceHandler, SurfaceOptions } from "./surface";
import type { SurfaceEndpointKind } from "./endpoints";
import { TenantDirectory } from "./tenant-scope";
import { allowedHostnames, hostnameOf } from "./hostnames";

/** The tools of each surface (src/surfaces/index.ts, the surface registry), loaded on the surface's first request. */
export type SurfaceManifests = Readonly<
  Record<SurfaceName, { readonly loadTools: () => Promise<readonly ToolDefinition[]> }>
>;

/** The OAuth feature's bearer verifier, as src/features.ts hands it over (src/oauth/bearer.ts). */
export type TokenVerifier = Pick<SurfaceAuth, "verify">;

/** What Elysia passes a route here: the request, Bun's server, and what the listener edge derived (src/app.ts). */
type RouteContext = {
  request: Request;
  server: Parameters<typeof clientIpFor>[1];
  requestId?: string;
  clientIp?: string;
};

const CORS_ALLOW_HEADERS =
  "authorization, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id, x-request-id";
const CORS_EXPOSE_HEADERS = "www-authenticate, mcp-session-id, mcp-protocol-version, x-request-id";

/**
 * A surface as the routes see it. Its handler, the SDK behind it and its tool manifest are built on the surface's
 * first request, not on the path to listening: together they are most of what a start would otherwise evaluate.
 * Requests that arrive while it is being built wait for the same build.
 */
export interface MountedSurface {
  readonly surface: SurfaceName;
  handle(request: Request, meta: RequestMeta, via?: SurfaceEndpointKind): Promise<Response>;
  /** `GET /{surface}/list_tools`: the public catalog. */
  catalog(request: Request): Promise<Response>;
  close(): Promise<void>;
}

function mountOnFirstUse(surface: SurfaceName, build: () => Promise<SurfaceHandler>): MountedSurface {
  let built: Promise<SurfaceHandler> | undefined;
  // Once built, requests go straight to it: no extra await per request.
  let ready: SurfaceHandler | undefined;
  const handler = () =>
    (built ??= build().then((h) => {
      ready = h;
      return h;
    }));
  return {
    surface,
    handle: (request, meta, via) =>
      ready ? ready.handle(request, meta, via) : handler().then((h) => h.handle(request, meta, via)),
    catalog: async (request) => (await handler()).catalog(request),
    close: async () => {
      if (built) await (await built).close();
    },
  };
}

/** Mounts one surface per enabled surface (config.surfaces); disabled surfaces are not mounted at all. */
export function createSurfaceHandlers(
  ctx: AppContext,
  auth: SurfaceAuth,
  manifests: SurfaceManifests,
  requestStateKey?: Uint8Array,
): MountedSurface[] {
  const directory = new TenantDirectory(ctx.store.db, undefined, undefined, () => ctx.store.changeSignal());
  // One JSON Schema validator for every Server (each would otherwise build its own, on every 2026-07-28 request).
  let shared: Promise<Pick<SurfaceOptions, "validator">> | undefined;
  const sharedOptions = () =>
    (shared ??= import("@modelcontextprotocol/server/validators/ajv").then(({ AjvJsonSchemaValidator }) => ({
      validator: new AjvJsonSchemaValidator(),
    })));
  return SURFACES.filter((s) => ctx.config.surfaces[s]).map((s) =>
    mountOnFirstUse(s, async () => {
      const [{ createSurfaceHandler }, tools, { validator }] = await Promise.all([
        import("./surface"),
        manifests[s].loadTools(),
        sharedOptions(),
      ]);
      return createSurfaceHandler(ctx, s, tools, auth, {
        validator,
        directory,
        ...(requestStateKey ? { requestStateKey } : {}),
      });
    }),
  );
}

/**
 * The Elysia adapter of the MCP surfaces: `/{surface}` and `/{surface}/mcp` (some clients only work with a
 * path ending in /mcp) go to the surface's Request -> Response handler untouched (`parse: "none"`: the body is
 * read once, by the handler); `GET /{surface}/list_tools` serves the public catalog.
 */
export function mcpRoutes(ctx: AppContext, handlers: readonly MountedSurface[]) {
  const app = new Elysia({ name: "mcp-surfaces" });
  for (const h of handlers) {
    const serve = (c: RouteContext) => {
      if (c.request.method === "OPTIONS") return preflight(c.request);
      return h.handle(c.request, edgeMeta(ctx, c)).then((res) => withCors(c.request, res));
    };
    app.all(`/${h.surface}`, serve, { parse: "none" });
    app.all(`/${h.surface}/mcp`, serve, { parse: "none" });
    app.get(`/${h.surface}/list_tools`, ({ request }) => h.catalog(request));
  }
  if (ctx.config.server.surface_urls) app.use(surfaceHostRoutes(ctx, handlers));
  return app;
}

/**
 * One hostname per surface (server.surface_urls; docs/mcp-client-compat.md §5.2): `POST /mcp`, and `/` as an alias, on the
 * single listener, routed to the surface whose own host the Host header names. Mounted only when the table is set,
 * so the default routes are exactly the path ones. A loopback/public_url/allowed host has no endpoint here (404,
 * use /{surface}); any other host is refused as DNS rebinding would be (403).
 */
function surfaceHostRoutes(ctx: AppContext, handlers: readonly MountedSurface[]) {
  const bySurface = new Map(handlers.map((h) => [h.surface, h]));
  const known = allowedHostnames(ctx.config);
  const route = (via: "host" | "host-root") => (c: RouteContext) => {
    const { request } = c;
    const host = request.headers.get("host");
    const surface = surfaceOfHost(ctx.config, host);
    const h = surface ? bySurface.get(surface) : undefined;
    if (!h) {
      const notHere = host !== null && known.has(hostnameOf(host));
      const message = notHere
        ? "Not found: on this host the MCP endpoints are /forge, /cavalier and /aegis"
        : "Forbidden: host not allowed";
      return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message } }), {
        status: notHere ? 404 : 403,
        headers: { "content-type": "application/json" },
      });
    }
    if (request.method === "OPTIONS") return preflight(request);
    return h.handle(request, edgeMeta(ctx, c), via).then((res) => withCors(request, res));
  };
  return new Elysia({ name: "mcp-surface-hosts" })
    .all("/mcp", route("host"), { parse: "none" })
    .all("/", route("host-root"), { parse: "none" });
}

/** The request id and client address the listener edge derived, or derived here when mounted without it. */
function edgeMeta(ctx: AppContext, c: RouteContext): { requestId: string; ip: string } {
  return {
    requestId: c.requestId ?? requestIdFor(c.request),
    ip: c.clientIp ?? clientIpFor(c.request, c.server, ctx.config.server.trusted_proxies),
  };
}

/** CORS for browser-based clients (MCP Inspector); the Origin itself is checked by the surface (403). */
function preflight(request: Request): Response {
  const origin = request.headers.get("origin");
  const headers: Record<string, string> = {
    "access-control-allow-methods": "POST, GET, DELETE, OPTIONS",
    "access-control-allow-headers": CORS_ALLOW_HEADERS,
    "access-control-max-age": "600",
  };
  if (origin) headers["access-control-allow-origin"] = origin;
  headers.vary = "origin";
  return new Response(null, { status: 204, headers });
}

function withCors(request: Request, res: Response): Response {
  const origin = request.headers.get("origin");
  if (origin && res.status !== 403) {
    res.headers.set("access-control-allow-origin", origin);
    res.headers.set("access-control-expose-headers", CORS_EXPOSE_HEADERS);
    res.headers.set("vary", "origin");
  }
  return res;
}

/**
 * The MCP feature as mounted by src/features.ts: every enabled surface of the registry, authenticated by the OAuth
 * feature's verifier (handed over by src/features.ts) and challenged per RFC 6750 §3 / RFC 9728 §5.1.
 */
export function mcpFeature(
  ctx: AppContext,
  manifests: SurfaceManifests,
  verifier: TokenVerifier,
  env: Record<string, string | undefined>,
) {
  const auth: SurfaceAuth = {
    verify: (token, surface, resource) => verifier.verify(token, surface, resource),
    challenge: (surface, kind, opts) => bearerChallenge(ctx.config, surface, kind, opts),
  };
  // The confirmation requestState key: its own HKDF sub-key of the master secret (RFC 5869), never the secret.
  const requestStateKey = loadMasterSubKey(ctx.config, env, "mcp-request-state-v1", ctx.log);
  const handlers = createSurfaceHandlers(ctx, auth, manifests, requestStateKey);
  return {
    plugin: mcpRoutes(ctx, handlers),
    onStart: async () => pruneConfirmations(ctx.store.db, ctx.clock()),
    onStop: async () => {
      for (const h of handlers) await h.close();
    },
  };
}
