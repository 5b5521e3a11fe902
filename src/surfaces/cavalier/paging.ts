import { and, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { CavalierError } from "./errors";

/** List conventions shared by every cavalier list tool: limit default 25, max 100; opaque keyset cursors. */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(limit)));
}

/** Opaque cursor: base64url of the last row's sort key. Stable under inserts (keyset, not offset). */
export function encodeCursor(key: readonly [string | number, string]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor<K extends string | number>(
  cursor: string | undefined,
  kind: K extends string ? "string" : "number",
): [K, string] | null {
  if (cursor === undefined || cursor === "") return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === kind && typeof parsed[1] === "string") {
      return parsed as [K, string];
    }
  } catch {
    // fall through: any undecodable cursor is the caller's mistake
  }
  throw new CavalierError(
    "invalid_cursor",
    "cursor is not valid: pass the next_cursor of the previous page unchanged, or omit it to start over",
  );
}

/** Rows strictly after (key, id) in ascending order. */
export function afterAsc(keyCol: SQLiteColumn, idCol: SQLiteColumn, cursor: [string | number, string]): SQL {
  return or(gt(keyCol, cursor[0]), and(eq(keyCol, cursor[0]), gt(idCol, cursor[1])))!;
}

/** Rows strictly after (key, id) in descending order. */
export function afterDesc(keyCol: SQLiteColumn, idCol: SQLiteColumn, cursor: [string | number, string]): SQL {
  return or(lt(keyCol, cursor[0]), and(eq(keyCol, cursor[0]), lt(idCol, cursor[1])))!;
}

/** Splits a limit+1 fetch into the page and the next cursor. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => [string | number, string],
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
}
