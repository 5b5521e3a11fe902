import { json } from "./responses";

/** What the 503 of a draining listener tells the client: when to come back (RFC 9110 §10.2.3 Retry-After). */
export const DRAIN_RETRY_AFTER_SECONDS = 5;

/**
 * The draining state of both listeners during a graceful shutdown.
 *
 * Closing an idle keep-alive connection races with the client's next request: a request the client has already
 * written is reset unanswered, and a POST client cannot tell whether its call ran. So on SIGTERM the listeners keep
 * reading for a while: every request read from then on is answered `503` with `Connection: close` (RFC 9112 §9.6:
 * the server closes after that response, the client knows the request was not processed) and `Retry-After`, while
 * requests already in flight finish and their responses carry `Connection: close`. Only when the listeners have been
 * quiet for a moment are they closed.
 */
export class DrainGate {
  private drainingSince: number | null = null;
  private lastRequestAt = 0;
  private lastWorkAt = 0;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  begin(now: number): void {
    this.drainingSince ??= now;
  }

  /**
   * Called for every request as it is read: null to serve it, or the 503 to send instead. `url` tells a health probe
   * or a metrics scrape from work (see `idleFor`).
   */
  admit(now: number, url?: string): Response | null {
    this.lastRequestAt = now;
    if (url === undefined || !isProbe(url)) this.lastWorkAt = now;
    if (this.drainingSince === null) return null;
    return json(
      { error: "temporarily_unavailable", error_description: "the server is restarting; retry the request shortly" },
      503,
      {
        connection: "close",
        "retry-after": String(DRAIN_RETRY_AFTER_SECONDS),
        "cache-control": "no-store",
      },
    );
  }

  /**
   * Milliseconds since the last request was read, before or after draining began: an idle server stops at once,
   * one with clients sending on keep-alive connections waits until each has been told to close.
   */
  quietFor(now: number): number {
    return now - this.lastRequestAt;
  }

  /**
   * Milliseconds since the last request that was not a health probe or a metrics scrape: a container HEALTHCHECK
   * (every 30 s) or a Prometheus scrape (every 15 s) arrives more often than any sensible idle period, so counting
   * them would keep a process that serves nobody from ever being idle.
   */
  idleFor(now: number): number {
    return now - this.lastWorkAt;
  }
}

/** Paths that watch the process rather than use it (src/health, src/observability). */
const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** Whether a request URL (absolute, as Bun gives it) is a probe; its query string does not matter. */
export function isProbe(url: string): boolean {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return false;
  const query = url.indexOf("?", start);
  return PROBE_PATHS.has(query < 0 ? url.slice(start) : url.slice(start, query));
}
