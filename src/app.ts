import { Elysia, type AnyElysia } from "elysia";
import type { AppContext } from "./context";
import { healthRoutes } from "./health/index";
import { clientIpFor, requestIdFor } from "./http/request-context";
import { DrainGate } from "./http/drain";
import { invalidHostResponse } from "./http/request-guards";
import { json } from "./http/responses";

/** Counts one answered request (the observability feature's metrics registry; src/features.ts wires it). */
export type RequestObserver = (listener: string, path: string, status: number | undefined) => void;

/**
 * Cross-cutting edge: the draining 503 during shutdown and the 400 for a request without a valid Host (both before
 * routing), request id, client address, one access-log line per request, and the rule that anything unexpected
 * becomes a generic 500 with the request id (logged, never leaking a stack).
 */
export function edge(
  ctx: AppContext,
  name: string,
  drain: DrainGate = new DrainGate(),
  observeRequest?: RequestObserver,
) {
  return new Elysia({ name: `edge-${name}` })
    .onRequest(
      ({ request }) => drain.admit(performance.now(), request.url) ?? invalidHostResponse(request) ?? undefined,
    )
    .derive({ as: "global" }, ({ request, server }) => ({
      requestId: requestIdFor(request),
      clientIp: clientIpFor(request, server, ctx.config.server.trusted_proxies),
      startedAt: performance.now(),
    }))
    .onAfterHandle({ as: "global" }, ({ set, requestId }) => {
      set.headers["x-request-id"] = requestId;
      // A request that was in flight when shutdown began: answer it, then close the connection (RFC 9112 §9.6).
      if (drain.draining) set.headers.connection = "close";
    })
    .onAfterResponse({ as: "global" }, ({ request, path, set, requestId, startedAt, clientIp, responseValue }) => {
      // A handler that returns a Response sets its status there, not on `set`.
      const answered = responseValue instanceof Response ? responseValue.status : set.status;
      observeRequest?.(name, path, typeof answered === "number" ? answered : undefined);
      // Probes (container HEALTHCHECK, load balancer) arrive every few seconds; at info they would drown the log.
      const probe = path === "/healthz" || path === "/readyz";
      ctx.log[probe ? "debug" : "info"]("request", {
        listener: name,
        request_id: requestId,
        method: request.method,
        path,
        status: typeof set.status === "number" ? set.status : undefined,
        ms: startedAt ? Math.round((performance.now() - startedAt) * 100) / 100 : undefined,
        ip: clientIp,
      });
    })
    .onError({ as: "global" }, ({ code, error, request, path }) => {
      if (code === "NOT_FOUND") return json({ error: "not_found" }, 404);
      if (code === "PARSE")
        return json({ error: "invalid_request", error_description: "the request body could not be parsed" }, 400);
      if (code === "VALIDATION")
        return json({ error: "invalid_request", error_description: "the request is malformed" }, 400);
      const requestId = requestIdFor(request);
      ctx.log.error("unhandled error", { request_id: requestId, path, error });
      return json({ error: "server_error", request_id: requestId }, 500);
    });
}

/** The public listener: OAuth, MCP surfaces, health. Features are mounted here and nowhere else. */
export function buildPublicApp(
  ctx: AppContext,
  features: AnyElysia[] = [],
  drain?: DrainGate,
  observeRequest?: RequestObserver,
) {
  let app = new Elysia({ name: "public" }).use(edge(ctx, "public", drain, observeRequest)).use(healthRoutes(ctx));
  for (const f of features) app = app.use(f);
  return app;
}

/** The admin listener (loopback by default): admin page and JSON API, plus health. */
export function buildAdminApp(
  ctx: AppContext,
  features: AnyElysia[] = [],
  drain?: DrainGate,
  observeRequest?: RequestObserver,
) {
  let app = new Elysia({ name: "admin" }).use(edge(ctx, "admin", drain, observeRequest)).use(healthRoutes(ctx));
  for (const f of features) app = app.use(f);
  return app;
}
