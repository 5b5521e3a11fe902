import { Elysia } from "elysia";
import type { Server } from "bun";
import { isLoopbackHost } from "../config/load";
import { SURFACES } from "../config/schema";
import type { AppContext } from "../context";
import type { OAuthServices } from "../oauth/services";
import { json } from "../http/responses";
import type { CheckpointSigner } from "./checkpoint";
import { Metrics } from "./metrics";
import { refuseMetricsScrape } from "./metrics-auth";
import { AuditForwarder } from "./stream/forwarder";
import { buildSinks } from "./stream/sinks";

export { Metrics } from "./metrics";

/** What src/features.ts hands to other features: the registry, and the audit stream's lag per sink. */
export interface ObservabilityServices {
  readonly metrics: Metrics;
  streamLag(): Promise<{ sink: string; rows: number; seconds: number }[]>;
}

function hostOf(listen: string): string {
  return listen.slice(0, listen.lastIndexOf(":"));
}

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

/**
 * Metrics and the audit stream for src/features.ts: returns its services (so the listener edge in src/app.ts can
 * count requests), mounts GET /metrics on the admin listener, and at start opens the `[metrics] listen` listener
 * and the audit forwarder. The only file of the feature that knows Elysia or Bun.serve.
 */
export function buildObservabilityFeature(
  ctx: AppContext,
  env: Record<string, string | undefined>,
  oauth: Pick<OAuthServices, "verifier" | "keys">,
) {
  const { config } = ctx;
  const metrics = new Metrics(ctx.store.db);
  let forwarder: AuditForwarder | null = null;
  const services: ObservabilityServices = {
    metrics,
    streamLag: async () => (forwarder ? await forwarder.lag() : []),
  };
  ctx.audit.onCommit((commit) => {
    metrics.observeAuditCommit(commit);
    forwarder?.wake();
  });
  metrics.setStreamLagSource({ lag: services.streamLag });

  const isAccessToken = async (token: string): Promise<boolean> => {
    if (token.split(".").length !== 3) return false;
    for (const surface of SURFACES) {
      try {
        await oauth.verifier.verify(token, surface);
        return true;
      } catch {}
    }
    return false;
  };

  /** GET /metrics as a web-standard handler; `loopback` says whether the listener needs no token. */
  const serveMetrics = async (request: Request, loopback: boolean): Promise<Response> => {
    // A loopback listener serves without a token, so it must not answer a page that DNS rebinding pointed at it.
    const host = request.headers.get("host")?.replace(/:\d+$/, "");
    if (loopback && host && !isLoopbackHost(host)) return json({ error: "misdirected_request" }, 421);
    if (!loopback) {
      const refusal = await refuseMetricsScrape(request.headers.get("authorization"), {
        db: ctx.store.db,
        now: ctx.clock(),
        metricsToken: env[config.metrics.token_env],
        isAccessToken,
      });
      if (refusal) return refusal;
    }
    const { body, contentType } = await metrics.render();
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  };

  const adminLoopback = isLoopbackHost(hostOf(config.admin.listen));
  const adminPlugin = new Elysia({ name: "observability-admin" }).get("/metrics", ({ request }) =>
    serveMetrics(request, adminLoopback),
  );

  let server: Server<undefined> | null = null;
  const onStart = async () => {
    metrics.setTokenCacheSource(() => oauth.verifier.cacheStats);
    if (config.metrics.listen) {
      const loopback = isLoopbackHost(hostOf(config.metrics.listen));
      server = Bun.serve({
        hostname: hostOf(config.metrics.listen).replace(/^\[|\]$/g, ""),
        port: portOf(config.metrics.listen),
        fetch: async (request) => {
          const path = new URL(request.url).pathname;
          const res =
            path === "/metrics" && request.method === "GET"
              ? await serveMetrics(request, loopback)
              : json({ error: "not_found" }, 404);
          metrics.observeRequest("metrics", path, res.status);
          return res;
        },
      });
      ctx.log.info("metrics listening", { metrics: `${hostOf(config.metrics.listen)}:${server.port}` });
    }
    if (config.audit.sinks.length > 0) {
      const sinks = buildSinks(config.audit.sinks, env, {
        hostname: new URL(config.server.public_url).hostname,
        procId: String(process.pid),
      });
      const signer: CheckpointSigner = oauth.keys;
      forwarder = new AuditForwarder({
        client: ctx.store.client,
        sinks,
        clock: ctx.clock,
        log: ctx.log,
        signer,
        issuer: config.server.public_url,
        checkpointEveryRows: config.audit.checkpoint_every_rows,
        checkpointEveryMs: config.audit.checkpoint_every_minutes * 60_000,
      });
      forwarder.start();
    }
  };
  const onStop = async () => {
    await server?.stop(true);
    await forwarder?.stop();
  };
  return { services, adminPlugin, onStart, onStop, metricsPort: () => server?.port ?? null };
}
