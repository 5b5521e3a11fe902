import type { AuditLog } from "../audit/log";
import type { SurfaceName } from "../config/schema";
import type { Logger } from "../shared/log";
import { type CallMeta, mcpAuditEvent } from "./audit-event";
import type { SurfaceAccess } from "./auth";

/**
 * Caps the audit rows that refusals BEFORE authentication (401 no/bad token, 403 Host/Origin) write per client
 * address. Every refused request is audited (docs/mcp-client-compat.md H2), but each row is a chained, durable write, so a spray of
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

/** Audit outcomes of requests refused at the surface, before or instead of the tool call path. */
export type RefusalOutcome =
  | "unauthorized"
  | "denied_origin"
  | "invalid_request"
  | "invalid_input"
  | "denied_scope"
  | "failed";

/** One refused request: what the surface knows about it when it refuses. */
export interface Refusal {
  meta: CallMeta;
  /** The JSON-RPC body, when it was read and is an object. */
  body: Record<string, unknown> | null;
  reason: string;
  outcome: RefusalOutcome;
  /** The verified token; absent for refusals before authentication, which the limiter caps per address. */
  access?: SurfaceAccess;
}

/**
 * The audit of a surface's refusals: every refused request gets a row (naming the JSON-RPC method and the tool
 * when the body says), except that refusals before authentication are capped per address by the limiter above,
 * with one summary row per address and minute for those left out.
 */
export class RefusalAudit {
  private readonly limiter = new RefusalAuditLimiter();
  private readonly sweep: ReturnType<typeof setInterval>;

  constructor(
    private readonly surface: SurfaceName,
    private readonly audit: AuditLog,
    private readonly clock: () => number,
    private readonly log: Logger,
    /** The audit action of a tool by name, so a refused tools/call is recorded under the same action as an answered one. */
    private readonly actionOf: (tool: string) => string | undefined,
  ) {
    this.sweep = setInterval(() => {
      const owed = this.limiter.drain(this.clock());
      if (owed.length > 0)
        this.writeSummaries(owed).catch((err) =>
          this.log.error("refusal summary audit failed", { surface, error: err }),
        );
    }, WINDOW_MS);
    (this.sweep as { unref?: () => void }).unref?.();
  }

  async record(r: Refusal): Promise<void> {
    if (!r.access) {
      const { record, summaries } = this.limiter.admit(r.meta.ip, r.outcome, this.clock());
      if (summaries.length > 0) await this.writeSummaries(summaries);
      if (!record) return;
    }
    const method = typeof r.body?.method === "string" ? r.body.method : "unknown";
    const params = isObject(r.body?.params) ? r.body.params : undefined;
    const toolName = method === "tools/call" && typeof params?.name === "string" ? params.name : null;
    const toolAction = toolName ? this.actionOf(toolName) : undefined;
    await this.audit.record(
      mcpAuditEvent(
        {
          surface: this.surface,
          meta: r.meta,
          access: r.access ?? null,
          tool: toolName,
          action: toolAction ?? `${this.surface}.${method}`,
        },
        r.outcome,
        { method, reason: r.reason, ...(toolName ? { arguments: params?.arguments } : {}) },
      ),
    );
  }

  /** Writes what is still owed and stops the sweep (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    await this.writeSummaries(this.limiter.drain(this.clock(), true)).catch(() => {});
  }

  private async writeSummaries(summaries: RefusalSummary[]): Promise<void> {
    for (const s of summaries) {
      await this.audit.record({
        kind: "mcp",
        action: `${this.surface}.refusals_summarized`,
        outcome: "unauthorized",
        surface: this.surface,
        ip: s.ip,
        detail: {
          reason: `more than ${REFUSAL_ROWS_PER_MINUTE} refused unauthenticated requests from this address in one minute; the rest are counted here`,
          suppressed: s.suppressed,
          by_outcome: s.byOutcome,
          window_start: new Date(s.windowStart).toISOString(),
        },
      });
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
