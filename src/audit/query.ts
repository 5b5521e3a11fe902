import { and, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { auditLog } from "../store/schema/audit";
import { auditWireFields } from "./chain";
import type { TenantScope } from "../tenancy/scope";

/**
 * Reading the audit log: filtered, newest-first pages with an opaque cursor, exports of a filtered set,
 * and the per-hour aggregation behind the admin chart. Writing lives in ./log.ts.
 *
 * Visibility: `"all"` (a platform admin: every row, including rows with no tenant such as failed sign-ins)
 * or a TenantScope, which admits only rows whose tenant_id is in scope — rows without a tenant are then
 * hidden, because nothing proves they concern the caller's tenants.
 */
export type AuditVisibility = "all" | TenantScope;

export interface AuditFilters {
  /** Inclusive lower bound, ms. */
  from?: number;
  /** Exclusive upper bound, ms. */
  to?: number;
  kind?: string;
  surface?: string;
  /** Exact tool name as recorded in the `tool` column, e.g. `cavalier_create_quote`. */
  tool?: string;
  userId?: string;
  tenantId?: string;
  clientId?: string;
  outcome?: string;
}

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditPage {
  rows: AuditRow[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const AUDIT_PAGE_MAX = 500;

export class AuditCursorError extends Error {
  readonly code = "invalid_cursor";
  constructor() {
    super("the cursor is not one this server issued");
  }
}

/** The cursor is the chain sequence of the last row returned: stable under concurrent appends (new rows get higher seq). */
export function encodeAuditCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString("base64url");
}

export function decodeAuditCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^s(\d{1,15})$/.exec(text);
  if (!m) throw new AuditCursorError();
  return Number(m[1]);
}

function conditions(visibility: AuditVisibility, f: AuditFilters): SQL[] {
  const c: SQL[] = [];
  if (visibility !== "all") c.push(visibility.where(auditLog.tenantId));
  if (f.from !== undefined) c.push(gte(auditLog.at, f.from));
  if (f.to !== undefined) c.push(lt(auditLog.at, f.to));
  if (f.kind) c.push(eq(auditLog.kind, f.kind));
  if (f.surface) c.push(eq(auditLog.surface, f.surface));
  if (f.tool) c.push(eq(auditLog.tool, f.tool));
  if (f.userId) c.push(eq(auditLog.userId, f.userId));
  if (f.tenantId) c.push(eq(auditLog.tenantId, f.tenantId));
  if (f.clientId) c.push(eq(auditLog.clientId, f.clientId));
  if (f.outcome) c.push(eq(auditLog.outcome, f.outcome));
  return c;
}

/** One page of matching rows, newest first. Throws AuditCursorError for a cursor this server did not issue. */
export async function queryAuditLog(
  db: DbLike,
  visibility: AuditVisibility,
  filters: AuditFilters,
  page: { cursor?: string; limit?: number } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), AUDIT_PAGE_MAX);
  const c = conditions(visibility, filters);
  if (page.cursor) c.push(lt(auditLog.seq, decodeAuditCursor(page.cursor)));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...c))
    .orderBy(desc(auditLog.seq))
    .limit(limit + 1);
  const more = rows.length > limit;
  const out = more ? rows.slice(0, limit) : rows;
  return { rows: out, nextCursor: more ? encodeAuditCursor(out[out.length - 1]!.seq) : null };
}

/** A single row by id, or null when it does not exist or is outside `visibility` (indistinguishable to the caller). */
export async function findAuditRow(db: DbLike, visibility: AuditVisibility, id: string): Promise<AuditRow | null> {
  const c = conditions(visibility, {});
  c.push(eq(auditLog.id, id));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...c))
    .limit(1);
  return rows[0] ?? null;
}

/** Rows that reference `id` as the call they confirmed (the `confirmed` leg of a destructive tool call). */
export async function findConfirmingRows(db: DbLike, visibility: AuditVisibility, id: string): Promise<AuditRow[]> {
  const c = conditions(visibility, {});
  c.push(eq(auditLog.confirmsId, id));
  return db
    .select()
    .from(auditLog)
    .where(and(...c))
    .orderBy(desc(auditLog.seq))
    .limit(20);
}

/** Every matching row, newest first, in pages: exports stream this without holding the set in memory. */
export async function* iterateAuditLog(
  db: DbLike,
  visibility: AuditVisibility,
  filters: AuditFilters,
  batch = AUDIT_PAGE_MAX,
): AsyncGenerator<AuditRow> {
  let cursor: string | undefined;
  for (;;) {
    const page = await queryAuditLog(db, visibility, filters, { cursor, limit: batch });
    for (const row of page.rows) yield row;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** Time of the oldest matching row, or null when none match (the chart's start for "all time"). */
export async function firstAuditTime(
  db: DbLike,
  visibility: AuditVisibility,
  filters: AuditFilters,
): Promise<number | null> {
  const rows = await db
    .select({ at: sql<number | null>`min(${auditLog.at})` })
    .from(auditLog)
    .where(and(...conditions(visibility, filters)));
  const at = rows[0]?.at;
  return at === null || at === undefined ? null : Number(at);
}

export const HOUR_MS = 3_600_000;

export interface HourlyCount {
  /** Start of the hour, ms. */
  hour: number;
  outcome: string;
  count: number;
}

/**
 * Calls per hour by outcome over [from, to): MCP tool calls only (kind `mcp`) unless the filters name a kind.
 * Hours with no calls are absent; the chart fills them.
 */
export async function countAuditPerHour(
  db: DbLike,
  visibility: AuditVisibility,
  filters: AuditFilters & { from: number; to: number },
): Promise<HourlyCount[]> {
  const c = conditions(visibility, { ...filters, kind: filters.kind ?? "mcp" });
  const hour = sql<number>`(${auditLog.at} / ${HOUR_MS}) * ${HOUR_MS}`;
  const rows = await db
    .select({ hour, outcome: auditLog.outcome, count: count() })
    .from(auditLog)
    .where(and(...c))
    .groupBy(hour, auditLog.outcome)
    .orderBy(hour);
  return rows.map((r) => ({ hour: Number(r.hour), outcome: r.outcome, count: Number(r.count) }));
}

/** MCP calls per surface since `since` (ms), within `visibility`. */
export async function countCallsBySurface(
  db: DbLike,
  visibility: AuditVisibility,
  since: number,
): Promise<Record<string, number>> {
  const c = conditions(visibility, { from: since, kind: "mcp" });
  const rows = await db
    .select({ surface: auditLog.surface, count: count() })
    .from(auditLog)
    .where(and(...c))
    .groupBy(auditLog.surface);
  const out: Record<string, number> = {};
  for (const r of rows) if (r.surface) out[r.surface] = Number(r.count);
  return out;
}

/** Distinct values seen in a column (for filter pickers), within `visibility`, most recent first. */
export async function distinctAuditValues(
  db: DbLike,
  visibility: AuditVisibility,
  column: "tool" | "outcome" | "clientId" | "userId",
  limit = 200,
): Promise<string[]> {
  const col = auditLog[column];
  const c = conditions(visibility, {});
  const rows = await db
    .select({ value: col, last: sql<number>`max(${auditLog.seq})` })
    .from(auditLog)
    .where(and(...c, sql`${col} IS NOT NULL`))
    .groupBy(col)
    .orderBy(desc(sql`max(${auditLog.seq})`))
    .limit(limit);
  return rows.map((r) => String(r.value));
}

/** The export shape of a row: wire names in snake_case, time as ISO 8601, detail parsed back to JSON. */
export function auditRowForExport(row: AuditRow): Record<string, unknown> {
  let detail: unknown = null;
  if (row.detail) {
    try {
      detail = JSON.parse(row.detail);
    } catch {
      detail = row.detail;
    }
  }
  return {
    ...auditWireFields(row),
    user_id: row.userId,
    tenant_id: row.tenantId,
    client_id: row.clientId,
    grant_id: row.grantId,
    detail,
  };
}

export const AUDIT_CSV_COLUMNS = [
  "id",
  "seq",
  "at",
  "kind",
  "action",
  "outcome",
  "surface",
  "tool",
  "user_id",
  "tenant_id",
  "client_id",
  "grant_id",
  "request_id",
  "ip",
  "latency_ms",
  "confirms_id",
  "detail",
  "hash",
] as const;

/**
 * One CSV field (RFC 4180 quoting). Cells starting with = + - @ (or tab/CR) are prefixed with a quote so a
 * spreadsheet opening the export never evaluates audit content as a formula (OWASP "CSV injection").
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
}

export function auditCsvLine(row: AuditRow): string {
  const r = auditRowForExport(row);
  return `${AUDIT_CSV_COLUMNS.map((k) => csvField(r[k])).join(",")}\r\n`;
}

export function auditJsonLine(row: AuditRow): string {
  return `${JSON.stringify(auditRowForExport(row))}\n`;
}
