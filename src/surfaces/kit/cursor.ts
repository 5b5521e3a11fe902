import { InvalidInputError } from "../../shared/errors";

/**
 * The one cursor codec of every list tool on every surface. A cursor is opaque to the caller (MCP 2025-06-18,
 * "Pagination": clients must not parse or modify cursors): base64url of the JSON array `[list, ...position]`,
 * where `list` names the list it belongs to, so a cursor from another list is refused rather than misread.
 *
 * Decoding is strict, because a cursor is caller input: anything but the exact encoding of a well-typed position
 * (wrong list, wrong arity or types, a fraction or 1e300 where a count belongs, non-canonical base64, trailing
 * bytes) is an InvalidCursorError, which the call path answers as `invalid_input`. What this does NOT check: that
 * the position still exists. Keyset positions are only ever compared against rows inside the caller's tenant
 * scope, so a hand-made but well-formed position reveals nothing the caller could not list anyway.
 */

export const INVALID_CURSOR_MESSAGE = "invalid cursor; start again without one";

export class InvalidCursorError extends InvalidInputError {
  constructor(reason: string) {
    super(INVALID_CURSOR_MESSAGE, { cursor: reason });
    this.name = "InvalidCursorError";
  }
}

/** "string": text up to MAX_CURSOR_STRING characters; "count": a safe, non-negative integer (offsets, times). */
export type CursorField = "string" | "count";
type FieldValue<F extends CursorField> = F extends "string" ? string : number;
export type CursorPosition<F extends readonly CursorField[]> = { -readonly [K in keyof F]: FieldValue<F[K]> };

export const MAX_CURSOR_STRING = 256;

export function encodeCursor(list: string, position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, ...position]), "utf8").toString("base64url");
}

function fieldOk(field: CursorField, value: unknown): boolean {
  if (field === "string") return typeof value === "string" && value.length <= MAX_CURSOR_STRING;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The position a cursor of `list` holds, typed by `fields`; null when no cursor was passed (the first page).
 * Throws InvalidCursorError for anything else.
 */
export function decodeCursor<const F extends readonly CursorField[]>(
  list: string,
  cursor: string | undefined | null,
  fields: F,
): CursorPosition<F> | null {
  if (cursor === undefined || cursor === null) return null;
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError("not base64url");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError("not JSON");
  }
  if (!Array.isArray(parsed) || parsed.length !== fields.length + 1) throw new InvalidCursorError("wrong shape");
  if (parsed[0] !== list) throw new InvalidCursorError("another list's cursor");
  const position = parsed.slice(1);
  if (!fields.every((f, i) => fieldOk(f, position[i]))) throw new InvalidCursorError("wrong field types");
  // Only the exact bytes this codec produces are accepted (no padding variants, no appended garbage).
  if (encodeCursor(list, position as (string | number)[]) !== cursor) throw new InvalidCursorError("not canonical");
  return position as CursorPosition<F>;
}
