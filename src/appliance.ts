import type { AnyElysia } from "elysia";
import { buildAdminApp, buildPublicApp, type RequestObserver } from "./app";
import { AuditLog } from "./audit/log";
import type { Config } from "./config/schema";
import type { AppContext } from "./context";
import { DrainGate } from "./http/drain";
import { MAX_REQUEST_BODY_BYTES } from "./http/read-capped-body";
import { MAX_IMPORT_UPLOAD_BYTES } from "./import/kinds/index";
import type { ObservabilityServices } from "./observability/index";
import type { OAuthServices } from "./oauth/services";
import { argon2Verifier, type PasswordVerifier } from "./oauth/throttle";
import { systemClock, type Clock } from "./shared/clock";
import { createLogger, type Logger } from "./shared/log";
import { openStore, type Store } from "./store/index";
import { startServerLease } from "./ops/lease";
import { reloadConfig, type ReloadResult } from "./ops/reload";
import { applyMigrations } from "./store/migrate";
import { syncConfigToStore } from "./tenancy/sync";

/** How long in-flight requests get to finish after SIGTERM before their connections are closed. */
export const SHUTDOWN_GRACE_MS = 8000;
/**
 * After SIGTERM the listeners keep answering (503 + Connection: close) until no request has been read for this
 * long (counting from the last request before SIGTERM too); only then are they closed, so a keep-alive client that
 * is sending is not cut off between two requests.
 */
export const DRAIN_QUIET_MS = 500;

export interface ApplianceOptions {
  config: Config;
  /** Overrides SHUTDOWN_GRACE_MS (tests). */
  shutdownGraceMs?: number;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  log?: Logger;
  fetch?: typeof fetch;
  /** Overrides the argon2id password check (tests count how many hashes are verified). */
  passwordVerifier?: PasswordVerifier;
}

export interface RouteInfo {
  method: string;
  path: string;
}

export interface Appliance {
  readonly ctx: AppContext;
  /** The OAuth feature's keys, bearer verifier and CIMD resolver (tests verify tokens and rotate keys with them). */
  readonly oauth: OAuthServices;
  /** The metrics registry and the audit stream's lag (src/observability/). */
  readonly observability: ObservabilityServices;
  readonly publicPort: number;
  readonly adminPort: number | null;
  /** Every route each listener serves (the fuzz tests walk them all). */
  readonly routes: { public: RouteInfo[]; admin: RouteInfo[] };
  /**
   * Milliseconds since either listener last read a request other than a health probe or a metrics scrape, at `now`
   * (`performance.now()`): how long the appliance has served nobody.
   */
  idleFor(now: number): number;
  /** Finishes in-flight requests, flushes the audit log, closes the store. */
  stop(): Promise<void>;
  /** Re-reads the config file and applies what can change while running (SIGHUP, src/ops/reload.ts). */
  reload(path: string, env: Record<string, string | undefined>): Promise<ReloadResult>;
}

/** Features mounted on each listener; each feature's index.ts contributes its Elysia plugin here. */
export interface Features {
  publicFeatures: AnyElysia[];
  adminFeatures: AnyElysia[];
  /** Called once at start after the store is ready (pruning, key bootstrap, demo seed…). */
  onStart: (() => Promise<void>)[];
  onStop: (() => Promise<void>)[];
  /** Counts every answered request on both listeners (the metrics registry). */
  observeRequest: RequestObserver;
  /** Long-lived services the features were built with, exposed on the Appliance. */
  services: { oauth: OAuthServices; observability: ObservabilityServices };
}

function splitListen(listen: string): { hostname: string; port: number } {
  const idx = listen.lastIndexOf(":");
  return { hostname: listen.slice(0, idx).replace(/^\[|\]$/g, ""), port: Number(listen.slice(idx + 1)) };
}

/** Opens the store, applies migrations and the config sync: the steps `serve` and tests share. */
export async function prepareStore(config: Config, env: Record<string, string | undefined>, clock: Clock, log: Logger) {
  const store: Store = await openStore(config.database.url, env[config.database.auth_token_env]);
  const migrated = await applyMigrations(store.client, clock);
  if (migrated.applied.length > 0) log.info("migrations applied", { applied: migrated.applied });
  const synced = await syncConfigToStore(store, config, clock);
  log.info("config synced", {
    tenants: synced.tenants,
    users: synced.users,
    disabled_users: synced.disabledUserIds.length,
  });
  return { store, synced };
}

/**
 * The composition root behind `cavaridge serve` and the integration tests: store, audit, features,
 * and the two listeners on real ports.
 */
export async function startAppliance(options: ApplianceOptions): Promise<Appliance> {
  const { config } = options;
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.log.level);
  const { store } = await prepareStore(config, env, clock, log);
  const audit = new AuditLog(store.db, clock, log);
  const ctx: AppContext = {
    config,
    store,
    clock,
    log,
    audit,
    fetch: options.fetch,
    passwordVerifier: options.passwordVerifier ?? argon2Verifier,
  };

  const { buildFeatures } = await import("./features");
  const features = await buildFeatures(ctx, env);
  for (const start of features.onStart) await start();
  // Announces this server to `cavaridge restore` (src/ops/lease.ts) until stop().
  const lease = await startServerLease(store, clock, log);

  const tls =
    config.server.tls_cert_file && config.server.tls_key_file
      ? { cert: Bun.file(config.server.tls_cert_file), key: Bun.file(config.server.tls_key_file) }
      : undefined;
  const drain = new DrainGate();
  const publicApp = buildPublicApp(ctx, features.publicFeatures, drain, features.observeRequest);
  const pub = splitListen(config.server.listen);
  // Bun.serve refuses larger bodies (chunked or not) with 413 before any handler buffers them.
  publicApp.listen({ hostname: pub.hostname, port: pub.port, tls, maxRequestBodySize: MAX_REQUEST_BODY_BYTES });
  const publicPort = publicApp.server!.port!;

  let adminApp: ReturnType<typeof buildAdminApp> | null = null;
  let adminPort: number | null = null;
  if (config.admin.enabled) {
    adminApp = buildAdminApp(ctx, features.adminFeatures, drain, features.observeRequest);
    const adm = splitListen(config.admin.listen);
    // Imports upload files larger than any other body; every admin route below caps its own read.
    adminApp.listen({ hostname: adm.hostname, port: adm.port, maxRequestBodySize: MAX_IMPORT_UPLOAD_BYTES });
    adminPort = adminApp.server!.port!;
  }
  log.info("listening", {
    public: `${pub.hostname}:${publicPort}`,
    admin: adminPort ? `${config.admin.listen.replace(/:\d+$/, "")}:${adminPort}` : null,
    public_url: config.server.public_url,
  });

  const routesOf = (app: { routes: { method: string; path: string }[] } | null): RouteInfo[] =>
    (app?.routes ?? []).map((r) => ({ method: r.method, path: r.path }));
  const servers = () => [publicApp.server, adminApp?.server].filter((s) => s !== null && s !== undefined);
  const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;

  let stopped = false;
  return {
    ctx,
    oauth: features.services.oauth,
    observability: features.services.observability,
    publicPort,
    adminPort,
    reload: (path, reloadEnv) => reloadConfig(ctx, path, reloadEnv),
    routes: { public: routesOf(publicApp), admin: routesOf(adminApp) },
    idleFor: (now) => drain.idleFor(now),
    async stop() {
      if (stopped) return;
      stopped = true;
      const deadline = performance.now() + graceMs;
      // Drain: every request read from now on is answered 503 + Connection: close + Retry-After, and in-flight
      // requests finish with Connection: close. Bun's stop() closes idle keep-alive connections at once, which
      // would reset a request a client has just written, so the listeners stay open until nothing has been read
      // for DRAIN_QUIET_MS and no request is in flight (or the grace period is over).
      drain.begin(performance.now());
      while (performance.now() < deadline) {
        const busy = servers().some((s) => s.pendingRequests > 0);
        if (!busy && drain.quietFor(performance.now()) >= DRAIN_QUIET_MS) break;
        await Bun.sleep(25);
      }
      // Stop accepting; in-flight requests may still finish. A client that stalls mid-request must not hold the
      // process past the service manager's stop timeout (systemd 30 s, Docker 10 s), so at the deadline the
      // remaining connections are closed and the store is still flushed and closed cleanly.
      const graceful = Promise.all(servers().map((s) => s.stop(false)));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - performance.now()));
      });
      if ((await Promise.race([graceful, timeout])) === "timeout") {
        log.warn("shutdown grace period over; closing remaining connections", { grace_ms: graceMs });
        await Promise.all(servers().map((s) => s.stop(true)));
      }
      clearTimeout(timer);
      for (const stop of features.onStop) await stop();
      await lease.stop();
      await audit.flush();
      store.close();
    },
  };
}
