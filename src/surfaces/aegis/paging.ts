import { ToolError } from "../../mcp/define-tool";

/** Default and maximum page sizes for every list tool (house convention). */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_LIMIT);
}

/**
 * Opaque cursors: base64url JSON tagged with the list they belong to, so a cursor from one tool (or a
 * hand-made string) is refused with a message the model can act on instead of silently restarting.
 */
export function encodeCursor(kind: string, position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...position }), "utf8").toString("base64url");
}

export function decodeCursor<T extends Record<string, string | number>>(
  kind: string,
  cursor: string,
  keys: (keyof T)[],
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  const obj = parsed as Record<string, unknown> | null;
  const valid =
    obj !== null &&
    typeof obj === "object" &&
    obj.k === kind &&
    keys.every((k) => typeof obj[k as string] === "string" || typeof obj[k as string] === "number");
  if (!valid)
    throw new ToolError(
      "cursor is not valid for this list: pass the next_cursor value from the previous page unchanged, or omit it to start over",
    );
  return obj as unknown as T;
}

export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** Parses an ISO 8601 date or date-time; throws a ToolError naming the parameter otherwise. */
export function parseIsoTime(value: string, parameter: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ToolError(
      `${parameter} must be an ISO 8601 date or date-time such as 2026-03-31 or 2026-03-31T00:00:00Z`,
    );
  return ms;
}

/**
 * Results are sent twice (structuredContent plus its JSON text for older clients), so a page's items are kept
 * under this many characters of JSON: the page may hold fewer than `limit` items, and next_cursor continues
 * exactly after the last item returned.
 */
export const PAGE_BUDGET_CHARS = 45_000;

/** How many of `items` (at least one) fit in the page budget. */
export function countWithinBudget(items: readonly unknown[], budget = PAGE_BUDGET_CHARS): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += JSON.stringify(items[i]).length + 1;
    if (used > budget && i > 0) return i;
  }
  return items.length;
}
