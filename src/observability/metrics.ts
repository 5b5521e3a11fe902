import { count, isNull } from "drizzle-orm";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AuditCommit } from "../audit/log";
import type { ChainedRow } from "../audit/chain";
import type { DbLike } from "../store/index";
import { oauthGrants } from "../store/schema/oauth";
import { isLoadedToolName } from "../surfaces/index";
import { boundedOutcome, boundedSurface, boundedTool, statusLabel, surfaceOfPath } from "./labels";

/** Tool names of the catalog: the only values the `tool` label takes. */
const CATALOG = { has: isLoadedToolName };

/** OAuth audit actions (src/oauth/) and outcomes, by the event name the `cavaridge_oauth_events_total` series uses. */
function oauthEventOf(row: ChainedRow): string | null {
  switch (row.action) {
    case "oauth.grant.create":
      return row.outcome === "ok" ? "token_issued" : null;
    case "oauth.token.refresh":
      return row.outcome === "ok" ? "token_refreshed" : null;
    case "oauth.token.reuse_detected":
      return "refresh_reuse_detected";
    case "oauth.code.replay":
      return "code_replay";
    case "oauth.sign_in":
      if (row.outcome === "failed") return "sign_in_failed";
      if (row.outcome === "throttled") return "sign_in_locked_out";
      return null;
    case "oauth.token.revoke":
    case "oauth.grant.revoke":
      return "revoked";
    default:
      return null;
  }
}

/** Responses refused before any credential was accepted: no/invalid token, wrong Host, oversized, throttled. */
const REFUSAL_STATUSES: ReadonlySet<number> = new Set([401, 413, 421, 429]);

/** What the audit stream reports for the lag gauges (src/observability/stream/forwarder.ts). */
export interface StreamLagSource {
  lag(): Promise<{ sink: string; rows: number; seconds: number }[]>;
}

/**
 * The appliance's Prometheus registry (prom-client renders the text exposition format). One per appliance, so
 * two appliances in one test process do not share counters. Every label value is bounded (./labels.ts).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"listener" | "surface" | "status">;
  private readonly toolCalls: Counter<"surface" | "tool" | "outcome">;
  private readonly toolLatency: Histogram<"surface" | "tool">;
  private readonly auditCommitSeconds: Histogram;
  private readonly auditGroupSize: Histogram;
  private readonly oauthEvents: Counter<"event">;
  private readonly refusals: Counter<"listener" | "surface" | "reason">;
  private lagSource: StreamLagSource | null = null;
  private tokenCache: (() => { hits: number; misses: number }) | null = null;
  private defaultMetrics = false;

  constructor(db: DbLike) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "cavaridge_http_requests_total",
      help: "HTTP requests answered, by listener, surface (from the path) and status code.",
      labelNames: ["listener", "surface", "status"],
      registers,
    });
    this.toolCalls = new Counter({
      name: "cavaridge_tool_calls_total",
      help: "MCP tools/call requests by surface, catalog tool and audit outcome.",
      labelNames: ["surface", "tool", "outcome"],
      registers,
    });
    this.toolLatency = new Histogram({
      name: "cavaridge_tool_call_duration_seconds",
      help: "Time from request arrival to the tool call's audit row, by surface and catalog tool.",
      labelNames: ["surface", "tool"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.auditCommitSeconds = new Histogram({
      name: "cavaridge_audit_commit_duration_seconds",
      help: "Duration of one audit group-commit transaction.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.auditGroupSize = new Histogram({
      name: "cavaridge_audit_commit_group_size",
      help: "Audit rows committed together in one transaction.",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    });
    this.oauthEvents = new Counter({
      name: "cavaridge_oauth_events_total",
      help: "OAuth events: token_issued, token_refreshed, refresh_reuse_detected, code_replay, sign_in_failed, sign_in_locked_out, revoked.",
      labelNames: ["event"],
      registers,
    });
    this.refusals = new Counter({
      name: "cavaridge_refusals_before_auth_total",
      help: "Requests refused before authentication (missing or invalid token, wrong Host, too large, throttled).",
      labelNames: ["listener", "surface", "reason"],
      registers,
    });
    new Gauge({
      name: "cavaridge_oauth_active_grants",
      help: "Grants not revoked.",
      registers,
      async collect() {
        const [row] = await db.select({ n: count() }).from(oauthGrants).where(isNull(oauthGrants.revokedAt));
        this.set(row?.n ?? 0);
      },
    });
    const tokenCache = () => this.tokenCache?.() ?? { hits: 0, misses: 0 };
    new Counter({
      name: "cavaridge_token_verify_cache_total",
      help: "Access-token verifications by signature-cache result (hit ratio = hit / (hit + miss)).",
      labelNames: ["result"],
      registers,
      collect() {
        const { hits, misses } = tokenCache();
        this.reset();
        this.inc({ result: "hit" }, hits);
        this.inc({ result: "miss" }, misses);
      },
    });
    const lag = () => this.lagSource?.lag() ?? Promise.resolve([]);
    // prom-client collects in registration order: the rows gauge reads the lag once per scrape, the seconds gauge
    // reuses that reading.
    let lastLag: { sink: string; rows: number; seconds: number }[] = [];
    new Gauge({
      name: "cavaridge_audit_stream_lag_rows",
      help: "Committed audit rows not yet acknowledged by the sink.",
      labelNames: ["sink"],
      registers,
      async collect() {
        lastLag = await lag();
        this.reset();
        for (const s of lastLag) this.set({ sink: s.sink }, s.rows);
      },
    });
    new Gauge({
      name: "cavaridge_audit_stream_lag_seconds",
      help: "Age of the oldest audit row the sink has not acknowledged (0 when caught up).",
      labelNames: ["sink"],
      registers,
      collect() {
        this.reset();
        for (const s of lastLag) this.set({ sink: s.sink }, s.seconds);
      },
    });
  }

  /** The audit stream reports its lag here (sink names come from the config, so they are bounded). */
  setStreamLagSource(source: StreamLagSource): void {
    this.lagSource = source;
  }

  setTokenCacheSource(source: () => { hits: number; misses: number }): void {
    this.tokenCache = source;
  }

  /** One answered HTTP request (the listener edge in src/app.ts). */
  observeRequest(listener: string, path: string, status: number | undefined): void {
    const surface = surfaceOfPath(path);
    this.requests.inc({ listener, surface, status: statusLabel(status) });
    if (status !== undefined && REFUSAL_STATUSES.has(status))
      this.refusals.inc({ listener, surface, reason: String(status) });
  }

  /** A refusal a handler decides on itself (e.g. a rate limiter answering 200 with an error), by a fixed reason. */
  recordRefusal(listener: string, surface: string, reason: "invalid_token" | "host" | "rate_limited" | "too_large") {
    this.refusals.inc({ listener, surface: boundedSurface(surface), reason });
  }

  /** Rows written by the audit log (its after-commit hook): tool calls, OAuth events, commit latency. */
  observeAuditCommit(commit: AuditCommit): void {
    if (commit.commitMs !== null) {
      this.auditCommitSeconds.observe(commit.commitMs / 1000);
      this.auditGroupSize.observe(commit.rows.length);
    }
    for (const row of commit.rows) {
      if (row.kind === "mcp" && row.tool) {
        const surface = boundedSurface(row.surface);
        const tool = boundedTool(CATALOG, row.tool);
        this.toolCalls.inc({ surface, tool, outcome: boundedOutcome(row.outcome) });
        if (row.latencyMs !== null) this.toolLatency.observe({ surface, tool }, row.latencyMs / 1000);
        continue;
      }
      const event = oauthEventOf(row);
      if (event) this.oauthEvents.inc({ event });
    }
  }

  /**
   * prom-client's process and runtime metrics (`cavaridge_process_*`, `cavaridge_nodejs_*`), registered on the first
   * scrape rather than at start: registering them reads the runtime's heap space statistics, which in Bun walks the
   * whole heap (about 20 ms of every start). Their counters and the event-loop lag histogram begin with that scrape.
   */
  registerDefaultMetrics(): void {
    if (this.defaultMetrics) return;
    collectDefaultMetrics({ register: this.registry, prefix: "cavaridge_" });
    this.defaultMetrics = true;
  }

  /** The Prometheus text exposition (format 0.0.4), with its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    this.registerDefaultMetrics();
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
