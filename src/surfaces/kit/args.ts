import { type } from "arktype";
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
