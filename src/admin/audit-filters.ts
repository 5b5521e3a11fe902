import { type } from "arktype";
import { HOUR_MS, type AuditFilters } from "../audit/query";
import { SURFACES } from "../config/schema";
import { userIdForEmail } from "../tenancy/sync";
import { AdminError } from "./errors";
import { onFirstUse } from "../shared/on-first-use";

/** Preset time ranges of the audit page; `all` has no lower bound. */
export const AUDIT_RANGES = {
  "1h": HOUR_MS,
  "24h": 24 * HOUR_MS,
  "7d": 7 * 24 * HOUR_MS,
  "30d": 30 * 24 * HOUR_MS,
  all: null,
} as const;
export type AuditRange = keyof typeof AUDIT_RANGES | "custom";

const slug = onFirstUse(() => type(/^[A-Za-z0-9._:@+-]{1,200}$/));
/** The query string of GET /audit and GET /api/mcp/audit(/export). Closed: an unknown parameter is a caller mistake. */
const AuditQuery = onFirstUse(() =>
  type({
    "+": "reject",
    "range?": "'1h' | '24h' | '7d' | '30d' | 'all' | 'custom'",
    "from?": "string <= 40",
    "to?": "string <= 40",
    "kind?": "'' | 'oauth' | 'mcp' | 'admin' | 'system'",
    "surface?": type("''").or(type.enumerated(...SURFACES)),
    "tool?": type("''").or(slug()),
    "user?": "string <= 320",
    "tenant?": type("''").or(slug()),
    "client?": "string <= 2048",
    "outcome?": type("''").or(slug()),
    "cursor?": "string <= 100",
    "limit?": type(/^\d{1,4}$/),
    "format?": "'csv' | 'jsonl'",
  }),
);

export interface ParsedAuditQuery {
  filters: AuditFilters;
  range: AuditRange;
  cursor?: string;
  limit?: number;
  format?: "csv" | "jsonl";
  /** The filters as given (for re-rendering the form and building links). */
  echo: Record<string, string>;
}

/**
 * A time given as ISO 8601 (`2026-11-24T09:00:00Z`), an HTML datetime-local value (`2026-11-24T09:00`, read as
 * UTC — the console shows every time in UTC), or epoch milliseconds.
 */
export function parseAuditTime(value: string, param: string): number {
  if (/^\d{10,15}$/.test(value)) return Number(value);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value) ? `${value}Z` : value;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new AdminError("invalid_request", `${param} must be an ISO 8601 time such as 2026-11-24T09:00:00Z`);
  return ms;
}

/**
 * Parses the audit filters of a request. `defaultRange` applies when neither `range` nor `from`/`to` is given
 * (the page shows the last 24 hours; the API reads all time). Pure: `now` comes in.
 */
export function parseAuditQuery(params: URLSearchParams, now: number, defaultRange: AuditRange): ParsedAuditQuery {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k in raw) throw new AdminError("invalid_request", `parameter ${k} is given more than once`);
    raw[k] = v.trim();
  }
  const q = AuditQuery()(raw);
  if (q instanceof type.errors) {
    const first = q[0]!;
    const key = first.path.length > 0 ? String(first.path[0]) : "";
    throw new AdminError(
      "invalid_request",
      key ? `${key}: ${first.problem}` : q.summary.replace(/^must be/, "query must be"),
    );
  }
  const filters: AuditFilters = {};
  const range: AuditRange = q.range ?? (q.from || q.to ? "custom" : defaultRange);
  if (range === "custom") {
    if (q.from) filters.from = parseAuditTime(q.from, "from");
    if (q.to) filters.to = parseAuditTime(q.to, "to");
    if (filters.from !== undefined && filters.to !== undefined && filters.from >= filters.to)
      throw new AdminError("invalid_request", "from must be earlier than to");
  } else {
    const span = AUDIT_RANGES[range];
    if (span !== null) filters.from = now - span;
  }
  if (q.kind) filters.kind = q.kind;
  if (q.surface) filters.surface = q.surface;
  if (q.tool) filters.tool = q.tool;
  if (q.user) filters.userId = q.user.includes("@") ? userIdForEmail(q.user) : q.user;
  if (q.tenant) filters.tenantId = q.tenant;
  if (q.client) filters.clientId = q.client;
  if (q.outcome) filters.outcome = q.outcome;
  const limit = q.limit ? Number(q.limit) : undefined;
  if (limit !== undefined && (limit < 1 || limit > 500))
    throw new AdminError("invalid_request", "limit must be between 1 and 500");
  const echo: Record<string, string> = {};
  for (const k of ["range", "from", "to", "kind", "surface", "tool", "user", "tenant", "client", "outcome"] as const) {
    const v = q[k];
    if (v) echo[k] = v;
  }
  echo.range = range;
  return { filters, range, cursor: q.cursor || undefined, limit, format: q.format, echo };
}

/** The query string for the same filters (links: next page, export). */
export function auditQueryString(echo: Record<string, string>, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...echo, ...extra })) if (v) p.set(k, v);
  return p.toString();
}
