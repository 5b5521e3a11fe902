import { type } from "arktype";
import { ToolError } from "../../mcp/define-tool";
import { Identifier } from "../../shared/string-types";
import { MAX_LIMIT } from "./page";

/**
 * Tool parameters every surface shares, described once so every tool says the same thing. A surface that needs
 * other wording re-describes the same type (`TenantArg.describe("...")`) rather than declaring a second one.
 */

export const TenantArg = Identifier.describe(
  "The customer tenant: its id (e.g. contosocare) or its name as the user typed it (e.g. ContosoCare); case-insensitive.",
);

/** Opaque to the caller (MCP 2025-06-18 "Pagination"): kit/cursor.ts decodes it strictly. */
export const CursorArg = type("0 < string <= 512").describe(
  "The next_cursor from the previous page of this same list; omit for the first page.",
);

export const LimitArg = type(`1 <= number.integer <= ${MAX_LIMIT}`).describe(
  `How many items per page: default 25, at most ${MAX_LIMIT}. A page may hold fewer to keep the result small; continue with next_cursor.`,
);

export const IdempotencyKeyArg = type(/^[A-Za-z0-9_.:-]{8,128}$/).describe(
  "A unique key for this request (a fresh UUID). Repeating the call with the same key and arguments returns the first result instead of creating a second one.",
);

/**
 * Tool annotations of a read that changes nothing (MCP 2025-06-18 "Tool annotations"): all four hints are set
 * explicitly, because hosts read a missing hint as its pessimistic default.
 */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** A date or date-time argument (ISO 8601, UTC), e.g. `IsoTimeArg("Start of the period (default: 90 days ago)")`. */
export const IsoTimeArg = (what: string) =>
  type("0 < string <= 40").describe(
    `${what} as an ISO 8601 date or date-time (UTC), e.g. 2026-09-01 or 2026-09-01T00:00:00Z.`,
  );

/** Parses an IsoTimeArg value to epoch ms; a tool error naming the parameter otherwise. */
export function parseIsoTime(value: string, parameter: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ToolError(
      `${parameter} must be an ISO 8601 date or date-time such as 2026-03-31 or 2026-03-31T00:00:00Z`,
    );
  return ms;
}

const DAY_MS = 86_400_000;

/**
 * A period from two optional IsoTimeArg values, each parsed under its parameter name (`names`): the end defaults to
 * now, the start to `defaultDays` before the end. Does NOT check that start precedes end (the service says how).
 */
export function parsePeriod(
  start: string | undefined,
  end: string | undefined,
  names: readonly [start: string, end: string],
  now: number,
  defaultDays = 90,
): { from: number; to: number } {
  const to = end ? parseIsoTime(end, names[1]) : now;
  const from = start ? parseIsoTime(start, names[0]) : to - defaultDays * DAY_MS;
  return { from, to };
}
