import { ToolError } from "../../mcp/define-tool";

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
