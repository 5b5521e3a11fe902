import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { redactDetail } from "../../../src/audit/redact";
import {
  auditText,
  capCodePoints,
  findUnstorableString,
  hasControlOrLoneSurrogate,
  unstorableTextReason,
} from "../../../src/shared/text";
import { hostileString } from "../../helpers/hostile-strings";

const codePoints = (s: string) => [...s].length;

describe("auditText: the stored form of any request string", () => {
  test("controls become \\u00XX text, lone surrogates U+FFFD, everything else is kept", () => {
    expect(auditText("a\u0000b")).toBe("a\\u0000b");
    expect(auditText("\u001b[31m\u007f\u0085")).toBe("\\u001b[31m\\u007f\\u0085");
    expect(auditText("x\ud800y\udc00")).toBe("x\ufffdy\ufffd");
    expect(auditText("😀 \u202eevil\u202c שלום")).toBe("😀 \u202eevil\u202c שלום");
  });

  test("a value already in its stored form comes back as it is, up to the cap exactly", () => {
    for (const v of ["", "aud_01JD2X3Y4Z", "ContosoCare Clinic", "😀 שלום \u202e", "x".repeat(128)])
      expect(auditText(v, 128)).toBe(v);
    // UTF-16 length above the cap but code points within it: kept whole too.
    expect(auditText(`${"x".repeat(126)}😀`, 127)).toBe(`${"x".repeat(126)}😀`);
    expect(auditText("x".repeat(129), 128)).toBe(`${"x".repeat(127)}…`);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.integer({ min: 1, max: 60 }), (s, max) => {
        const clean = s.replace(/\p{Cc}/gu, "");
        const out = auditText(clean, max);
        if (codePoints(clean) <= max) expect(out).toBe(clean);
        else expect(codePoints(out)).toBe(max);
      }),
      { seed: 0x5eed7e, numRuns: 1000 },
    );
  });

  test("caps by code point and never splits a surrogate pair", () => {
    expect(auditText(`${"x".repeat(127)}😀`, 128)).toBe(`${"x".repeat(127)}😀`);
    expect(auditText(`${"x".repeat(127)}😀😀`, 128)).toBe(`${"x".repeat(127)}…`);
    expect(auditText(`${"x".repeat(126)}😀😀😀`, 128)).toBe(`${"x".repeat(126)}😀…`);
    // An escape that would cross the cap is dropped whole, not cut in the middle.
    expect(auditText(`${"x".repeat(125)}\u0000`, 128)).toBe(`${"x".repeat(125)}…`);
    expect(capCodePoints(`${"😀".repeat(10)}`, 5)).toBe("😀😀😀😀…");
  });

  test("property: well-formed, control-free, within the cap, and idempotent (seeded)", () => {
    fc.assert(
      fc.property(hostileString(), fc.integer({ min: 1, max: 300 }), (s, max) => {
        const out = auditText(s, max);
        expect(out.isWellFormed()).toBe(true);
        expect(out).not.toMatch(/\p{Cc}/u);
        expect(codePoints(out)).toBeLessThanOrEqual(max);
        expect(auditText(out, max)).toBe(out);
      }),
      { seed: 0x9a11d, numRuns: 2000 },
    );
  });

  test("property: an audit detail is well-formed JSON within 4,096 characters that reads back unchanged", () => {
    fc.assert(
      fc.property(
        fc.dictionary(hostileString(8), fc.oneof(hostileString(), fc.array(hostileString(), { maxLength: 5 }))),
        (d) => {
          const json = redactDetail({ arguments: d })!;
          expect(json.isWellFormed()).toBe(true);
          expect(json).not.toMatch(/\p{Cc}/u);
          expect(json.length).toBeLessThanOrEqual(4096);
          expect(() => JSON.parse(json)).not.toThrow();
        },
      ),
      { seed: 0xde7a11, numRuns: 500 },
    );
  });
});

describe("identifiers and free text", () => {
  test("an identifier holds no control character and no lone surrogate", () => {
    for (const bad of ["a\u0000", "\ud800", "a\tb", "x\u0085", "\u007f"])
      expect(hasControlOrLoneSurrogate(bad)).toBe(true);
    for (const good of ["contosocare", "ContosoCare Clinic", "Zürich 😀", "\u202eabc"])
      expect(hasControlOrLoneSurrogate(good)).toBe(false);
  });

  test("free text refuses only what the store cannot hold: U+0000 and lone surrogates", () => {
    expect(unstorableTextReason("tab\tnewline\n😀 \u200f")).toBeNull();
    expect(unstorableTextReason("a\u0000")).toContain("U+0000");
    expect(unstorableTextReason("\udc00")).toContain("surrogate");
    expect(findUnstorableString({ lines: [{ description: "ok" }, { description: "b\u0000d" }] })).toEqual({
      path: "lines[1].description",
      reason: "contains U+0000 (NUL), which cannot be stored",
    });
    expect(findUnstorableString({ "k\ud800": 1 })?.path).toBe("a key of arguments");
    expect(findUnstorableString({ a: ["x", { b: "😀" }], n: 3 })).toBeNull();
  });
});

test("a deeply nested argument is walked without exhausting the stack", () => {
  let deep: unknown = "bad\u0000";
  for (let i = 0; i < 200_000; i++) deep = [deep];
  expect(findUnstorableString({ a: deep })?.reason).toContain("U+0000");
});
