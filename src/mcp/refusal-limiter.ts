/**
 * Caps the audit rows that refusals BEFORE authentication (401 no/bad token, 403 Host/Origin) write per client
 * address. Every refused request is audited (issue 4), but each row is a chained, durable write, so a spray of
 * unauthenticated requests would otherwise cost the appliance one audit insert per request and bury the log.
 * Per address and fixed one-minute window: the first `perWindow` refusals get their own row; the rest are only
 * counted, and one summary row per address and window reports how many were left out and why.
 *
 * Per process (a second appliance process keeps its own counts): a bound on audit volume, not a security
 * boundary. Pure bookkeeping: the caller passes `now` and writes the rows.
 */
export const REFUSAL_ROWS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;
/** Distinct addresses tracked at once; beyond that, new addresses share one bucket (bounded memory). */
const MAX_ADDRESSES = 10_000;
const OVERFLOW = "(other addresses)";

interface Window {
  start: number;
  count: number;
  suppressed: number;
  byOutcome: Record<string, number>;
}

/** What a summary row says: refusals from `ip` in [windowStart, windowStart + 1 min) that got no row of their own. */
export interface RefusalSummary {
  ip: string;
  windowStart: number;
  suppressed: number;
  byOutcome: Record<string, number>;
}

export class RefusalAuditLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perWindow: number = REFUSAL_ROWS_PER_MINUTE,
    private readonly maxAddresses: number = MAX_ADDRESSES,
  ) {}

  /**
   * Counts one refusal. `record`: whether it gets its own audit row. `summaries`: windows that ended and left
   * refusals out, to be written now as one row each.
   */
  admit(ip: string | null, outcome: string, now: number): { record: boolean; summaries: RefusalSummary[] } {
    const summaries: RefusalSummary[] = [];
    let key = ip ?? "unknown";
    let w = this.windows.get(key);
    if (w && now - w.start >= WINDOW_MS) {
      if (w.suppressed > 0) summaries.push(summaryOf(key, w));
      this.windows.delete(key);
      w = undefined;
    }
    if (!w) {
      if (this.windows.size >= this.maxAddresses) summaries.push(...this.drain(now));
      if (this.windows.size >= this.maxAddresses) key = OVERFLOW;
      w = this.windows.get(key);
      if (!w) {
        w = { start: now, count: 0, suppressed: 0, byOutcome: {} };
        this.windows.set(key, w);
      }
    }
    w.count++;
    if (w.count <= this.perWindow) return { record: true, summaries };
    w.suppressed++;
    w.byOutcome[outcome] = (w.byOutcome[outcome] ?? 0) + 1;
    return { record: false, summaries };
  }

  /** Ends every window older than a minute (all of them with `all`), returning the summaries still owed. */
  drain(now: number, all = false): RefusalSummary[] {
    const out: RefusalSummary[] = [];
    for (const [key, w] of this.windows) {
      if (!all && now - w.start < WINDOW_MS) continue;
      if (w.suppressed > 0) out.push(summaryOf(key, w));
      this.windows.delete(key);
    }
    return out;
  }
}

function summaryOf(ip: string, w: Window): RefusalSummary {
  return { ip, windowStart: w.start, suppressed: w.suppressed, byOutcome: { ...w.byOutcome } };
}
