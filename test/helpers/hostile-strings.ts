import fc from "fast-check";

/**
 * Strings a hostile client sends: any UTF-16 code unit (so NUL, C0/C1 controls and lone surrogates), whole emoji
 * and bidirectional marks, and names cut right at 128 units with an emoji straddling the cut.
 */
const PIECES = [
  "\u0000",
  "\ud800",
  "\udfff",
  "😀",
  "👩🏽‍💻",
  "\u202e",
  "\u200f",
  "\u0085",
  "\u007f",
  "\n",
  "\\u0000",
  "…",
];

export function hostileString(maxPieces = 40): fc.Arbitrary<string> {
  const unit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
  const piece = fc.oneof(unit, fc.constantFrom(...PIECES), fc.string({ unit: "binary", maxLength: 4 }));
  const mixed = fc.array(piece, { maxLength: maxPieces }).map((p) => p.join(""));
  const atTheCut = fc
    .tuple(fc.integer({ min: 120, max: 130 }), fc.constantFrom("😀", "\ud800", "\u0000", "a"))
    .map(([n, tail]) => `${"x".repeat(n)}${tail}`);
  const long = fc.integer({ min: 500, max: 6000 }).map((n) => "😀a\u0000".repeat(Math.ceil(n / 4)));
  return fc.oneof({ weight: 6, arbitrary: mixed }, { weight: 2, arbitrary: atTheCut }, { weight: 1, arbitrary: long });
}
