/**
 * Gives memory back once `serve` has been idle for a while.
 *
 * After a burst of requests the process keeps what the burst left: the JIT's compiled code and the bytecode of every
 * function that ran, the collector's free blocks, the allocator's free pages. JavaScriptCore can drop all of it
 * (`VM::shrinkFootprintWhenIdle`: discard compiled code, a full collection, return the allocator's free memory to
 * the system), which Bun exposes as `Bun.shrink()` (https://bun.com/reference/bun/shrink). Measured on the compiled
 * executable, 15 s after a load: 128-130 → 110-111 MiB resident. The price is paid by the next request after the
 * quiet period: its code runs cold again (about 25 ms for the first `tools/call`, a few ms for the next ones until
 * the JIT has tiered up), so it is done only after {@link IDLE_SHRINK_AFTER_MS} without any request, and once per
 * quiet period.
 */

/** How long both listeners must have read no request before the process gives memory back. */
export const IDLE_SHRINK_AFTER_MS = 30_000;
/** How often the quiet period is checked. */
export const IDLE_CHECK_INTERVAL_MS = 5_000;

/** Decides when to give memory back; the clock and the two effects come in as arguments. */
export class IdleShrink {
  private shrunkAt: number | null = null;

  /**
   * @param quietFor milliseconds since the last request other than a probe or a scrape was read, at `now`
   * @param shrink gives the memory back (`Bun.shrink` in `serve`)
   */
  constructor(
    private readonly quietFor: (now: number) => number,
    private readonly shrink: () => void,
    private readonly idleMs: number = IDLE_SHRINK_AFTER_MS,
  ) {}

  /** One check at `now` (ms, the clock `quietFor` uses). True when it gave memory back. */
  tick(now: number): boolean {
    const quiet = this.quietFor(now);
    if (quiet < this.idleMs) return false;
    // The last request was read before the last shrink: this quiet period has been handled already.
    if (this.shrunkAt !== null && now - quiet <= this.shrunkAt) return false;
    this.shrunkAt = now;
    this.shrink();
    return true;
  }

  /** Checks every {@link IDLE_CHECK_INTERVAL_MS} on a timer that does not keep the process alive; returns its stop. */
  start(now: () => number = () => performance.now()): () => void {
    const timer = setInterval(() => this.tick(now()), IDLE_CHECK_INTERVAL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}
