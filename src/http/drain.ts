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

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  begin(now: number): void {
    this.drainingSince ??= now;
  }

  /** Called for every request as it is read: null to serve it, or the 503 to send instead. */
  admit(now: number): Response | null {
    this.lastRequestAt = now;
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
}
