import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  decodeCursor,
  encodeCursor,
  INVALID_CURSOR_MESSAGE,
  InvalidCursorError,
} from "../../../src/surfaces/kit/cursor";
import { pageLimit } from "../../../src/surfaces/kit/page";
import { InvalidInputError } from "../../../src/shared/errors";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

describe("the surface kit's cursor codec", () => {
  test("round-trips a position of its own list; no cursor is the first page", () => {
    const c = encodeCursor("aegis.findings", [4, "fnd_x"]);
    expect(decodeCursor("aegis.findings", c, ["count", "string"])).toEqual([4, "fnd_x"]);
    expect(decodeCursor("aegis.findings", undefined, ["count", "string"])).toBeNull();
  });

  test.each([
    ["offset 1.5", b64('["forge.search",1.5]')],
    ["offset 1e300", b64('["forge.search",1e300]')],
    ["negative offset", b64('["forge.search",-1]')],
    ["offset as a string", b64('["forge.search","3"]')],
    ["an object, not the array", b64('{"k":"forge.search","o":3}')],
    ["another list's cursor", encodeCursor("aegis.controls", [3])],
    ["too many fields", encodeCursor("forge.search", [3, 4])],
    ["garbage", "%%%not a cursor%%%"],
    ["the empty string", ""],
    ["base64 of text", b64("hello")],
    ["tampered (byte appended)", `${encodeCursor("forge.search", [25])}A`],
    ["tampered (padding)", `${encodeCursor("forge.search", [25])}==`],
  ])("refuses %s as invalid_input with one message", (_label, cursor) => {
    let caught: unknown;
    try {
      decodeCursor("forge.search", cursor, ["count"]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidCursorError);
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as Error).message).toBe(INVALID_CURSOR_MESSAGE);
  });

  test("property: any string as a cursor decodes to a well-typed position or InvalidCursorError, never anything else", () => {
    const arbitraryCursor = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => b64(JSON.stringify(v))),
      fc.tuple(fc.constantFrom("forge.search", "x"), fc.anything({ maxDepth: 1 })).map((v) => b64(JSON.stringify(v))),
    );
    fc.assert(
      fc.property(arbitraryCursor, (cursor) => {
        try {
          const position = decodeCursor("forge.search", cursor, ["count"]);
          expect(position).not.toBeNull();
          expect(Number.isSafeInteger(position![0]) && position![0] >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidCursorError);
        }
      }),
      { seed: 20261128, numRuns: 2000 },
    );
  });

  test("limit defaults to 25 and is clamped to 1..100", () => {
    expect(pageLimit(undefined)).toBe(25);
    expect(pageLimit(500)).toBe(100);
    expect(pageLimit(0)).toBe(1);
  });
});
