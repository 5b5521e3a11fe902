import { and, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { encodeCursor } from "./cursor";

/** Page sizes shared by every list tool: default 25, at most 100. */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

/** A page of a list: the items and the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

/** Rows strictly after (key, id) in ascending order (keyset paging: stable under inserts). */
export function afterAsc(keyCol: SQLiteColumn, idCol: SQLiteColumn, cursor: readonly [string | number, string]): SQL {
  return or(gt(keyCol, cursor[0]), and(eq(keyCol, cursor[0]), gt(idCol, cursor[1])))!;
}

/** Rows strictly after (key, id) in descending order. */
export function afterDesc(keyCol: SQLiteColumn, idCol: SQLiteColumn, cursor: readonly [string | number, string]): SQL {
  return or(lt(keyCol, cursor[0]), and(eq(keyCol, cursor[0]), lt(idCol, cursor[1])))!;
}

/** Splits a limit+1 fetch into the page and the cursor (of `list`) after its last item. */
export function keysetPage<T>(
  list: string,
  rows: T[],
  limit: number,
  keyOf: (row: T) => readonly [string | number, string],
): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(list, keyOf(items[items.length - 1]!)) };
}

/**
 * Results are sent twice (structuredContent plus its JSON text for older clients, MCP 2025-06-18 "Tools >
 * Structured Content"), so a page's items are kept under this many characters of JSON: the page may hold fewer
 * than `limit` items, and next_cursor continues exactly after the last item returned.
 */
export const PAGE_BUDGET_CHARS = 45_000;

/** How many of `items` (at least one) fit in the page budget, measured as the JSON the caller receives. */
export function countWithinBudget(items: readonly unknown[], budget = PAGE_BUDGET_CHARS): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += JSON.stringify(items[i]).length + 1;
    if (used > budget && i > 0) return i;
  }
  return items.length;
}
