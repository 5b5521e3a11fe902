import { Elysia } from "elysia";
import { SURFACES, type SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import { clientIpFor, requestIdFor } from "../http/request-context";
import { json } from "../http/responses";
import { handleAuthorize, handleConsent, handleSignIn } from "./authorize";
import { BearerVerifier } from "./bearer";
import { CimdResolver } from "./cimd";
import { pruneUnusedClients } from "./clients";
import { revokeGrantsOfDisabledPrincipals } from "./grants";
import { purgeExpired } from "./housekeeping";
import { preflight, withCors, type RequestMeta } from "./http";
import { KeyStore, loadMasterKey } from "./keys";
import {
  authorizationServerMetadata,
  metadataResponse,
  protectedResourceMetadata,
  rootProtectedResourceMetadata,
  surfaceHostProtectedResourceMetadata,
} from "./metadata";
import { handleRegister } from "./register";
import { surfaceOfHost } from "./resource";
import { handleRevoke } from "./revoke";
import type { OAuthDeps, OAuthServices } from "./services";
import { handleToken } from "./token";

export type { OAuthServices } from "./services";

const PRUNE_INTERVAL_MS = 6 * 3600_000;

/**
 * Builds the OAuth services (master key, signing keys, verifier, CIMD resolver) once at start. Keys are
 * bootstrapped here rather than in onStart, so the features src/features.ts hands the verifier to can use it at once.
 */
export async function buildOAuthServices(
  ctx: AppContext,
  env: Record<string, string | undefined>,
): Promise<OAuthServices> {
  const masterKey = loadMasterKey(ctx.config, env, ctx.log);
  const keys = new KeyStore(ctx.store.db, masterKey, ctx.clock);
  await keys.bootstrap();
  const verifier = new BearerVerifier(
    ctx.config,
    ctx.store.db,
    keys,
    ctx.clock,
    ctx.log,
    await ctx.store.changeSignal(),
  );
  const cimd = new CimdResolver(ctx.config, ctx.store.db, ctx.log, ctx.fetch ? { fetch: ctx.fetch } : {});
  return { keys, verifier, cimd };
}

type Ctx = { request: Request; server: Parameters<typeof clientIpFor>[1] } & { requestId?: string };

/** The public listener's OAuth routes. Only this file knows Elysia; handlers are Request -> Response. */
export function oauthPlugin(deps: OAuthDeps) {
  const { config } = deps.ctx;
  const meta = (c: Ctx): RequestMeta => ({
    ip: clientIpFor(c.request, c.server, config.server.trusted_proxies),
    requestId: c.requestId ?? requestIdFor(c.request),
  });
  const none = { parse: "none" as const };
  const asMetadata = () => metadataResponse(authorizationServerMetadata(config));
  // With server.surface_urls, a surface's own host serves that surface's PRM at the root and at /mcp.
  const hostPrm = (request: Request, at: "root" | "/mcp"): Response | null => {
    const surface = surfaceOfHost(config, request.headers.get("host"));
    const body = surface ? surfaceHostProtectedResourceMetadata(config, surface, at) : null;
    return body ? metadataResponse(body) : null;
  };
  const prm = (surface: string, alias: "" | "/mcp") => {
    const known = (SURFACES as readonly string[]).includes(surface) && config.surfaces[surface as SurfaceName];
    return known
      ? metadataResponse(protectedResourceMetadata(config, surface as SurfaceName, alias))
      : withCors(json({ error: "not_found" }, 404));
  };
  const token = (c: Ctx) => handleToken(deps, c.request, meta(c));
  const register = (c: Ctx) => handleRegister(deps, c.request, meta(c));
  const revoke = (c: Ctx) => handleRevoke(deps, c.request, meta(c));
  const app = new Elysia({ name: "oauth" })
    .get("/.well-known/oauth-authorization-server", asMetadata)
    .get("/.well-known/openid-configuration", asMetadata)
    .get(
      "/.well-known/oauth-protected-resource",
      ({ request }) => hostPrm(request, "root") ?? metadataResponse(rootProtectedResourceMetadata(config)),
    )
    .get(
      "/.well-known/oauth-protected-resource/:surface",
      ({ params, request }) => (params.surface === "mcp" ? hostPrm(request, "/mcp") : null) ?? prm(params.surface, ""),
    )
    .get("/.well-known/oauth-protected-resource/:surface/mcp", ({ params }) => prm(params.surface, "/mcp"))
    .get("/oauth/jwks", async () =>
      metadataResponse((await deps.services.keys.jwks()) as unknown as Record<string, unknown>),
    )
    .get("/oauth/authorize", (c) => handleAuthorize(deps, c.request, meta(c)))
    .get("/authorize", (c) => handleAuthorize(deps, c.request, meta(c)))
    .post("/oauth/authorize/sign-in", (c) => handleSignIn(deps, c.request, meta(c)), none)
    .post("/oauth/authorize/consent", (c) => handleConsent(deps, c.request, meta(c)), none)
    // Root aliases: 2025-03-26 default endpoints, and clients that build them from the base URL (docs/mcp-client-compat.md B5).
    .post("/oauth/token", token, none)
    .post("/token", token, none)
    .post("/oauth/register", register, none)
    .post("/register", register, none)
    .post("/oauth/revoke", revoke, none)
    .post("/revoke", revoke, none)
    // CORS preflight for browser-based clients (docs/mcp-client-compat.md G15).
    .options("/.well-known/oauth-authorization-server", preflight)
    .options("/.well-known/openid-configuration", preflight)
    .options("/.well-known/oauth-protected-resource", preflight)
    .options("/.well-known/oauth-protected-resource/:surface", preflight)
    .options("/.well-known/oauth-protected-resource/:surface/mcp", preflight)
    .options("/oauth/jwks", preflight)
    .options("/oauth/token", preflight)
    .options("/token", preflight)
    .options("/oauth/register", preflight)
    .options("/register", preflight)
    .options("/oauth/revoke", preflight)
    .options("/revoke", preflight);
  return app;
}

/**
 * The OAuth feature for src/features.ts: its services (returned for the features that need the verifier), the public
 * plugin, and lifecycle hooks
 * (revoke grants of users/tenants the config disabled; prune never-used DCR clients and purge expired codes,
 * refresh tokens, sessions and throttle counters at start and every 6 h).
 */
export async function buildOAuthFeature(ctx: AppContext, env: Record<string, string | undefined>) {
  const services = await buildOAuthServices(ctx, env);
  const deps: OAuthDeps = { ctx, services };
  let timer: ReturnType<typeof setInterval> | null = null;
  const prune = async () => {
    const now = ctx.clock();
    const purged = await purgeExpired(ctx.store.db, now, ctx.config.oauth.login_lockout_seconds * 1000);
    if (purged > 0) ctx.log.debug("purged expired OAuth rows", { count: purged });
    const n = await pruneUnusedClients(ctx.store.db, ctx.config.oauth.prune_unused_clients_after_days, now);
    if (n > 0) {
      ctx.log.info("pruned unused OAuth clients", { count: n });
      await ctx.audit.record({ kind: "oauth", action: "oauth.client.prune", outcome: "ok", detail: { count: n } });
    }
  };
  return {
    services,
    plugin: oauthPlugin(deps),
    onStart: async () => {
      const revoked = await revokeGrantsOfDisabledPrincipals(ctx);
      if (revoked > 0) ctx.log.info("revoked grants of disabled users", { count: revoked });
      await prune();
      timer = setInterval(() => {
        prune().catch((err: unknown) => ctx.log.warn("pruning OAuth clients failed", { error: err }));
      }, PRUNE_INTERVAL_MS);
      timer.unref?.();
    },
    onStop: async () => {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
