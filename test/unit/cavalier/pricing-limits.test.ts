import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  formatMoney,
  PRICING_LIMITS,
  priceQuote,
  PricingError,
  type PricingLine,
} from "../../../src/surfaces/cavalier/pricing";

/** Money is exact at the accepted limits: sums in BigInt, nothing past 2^53 − 1 ever rounded onto the wire. */

const line = (over: Partial<PricingLine> = {}): PricingLine => ({
  productId: null,
  sku: "BIG",
  description: "Big",
  unit: "each",
  billingType: "one_time",
  billingPeriod: null,
  quantity: 99_999,
  unitPriceMinor: 9_999_999_999,
  discountBps: 0,
  taxable: true,
  ...over,
});
const perLine = 99_999n * 9_999_999_999n;

describe("pricing at the accepted limits", () => {
  test("nine lines of 99,999 × 9,999,999,999 total exactly (the sum passes 2^52, each step stays exact)", () => {
    const p = priceQuote({ currency: "USD", taxRateBps: 0, lines: Array.from({ length: 9 }, () => line()) });
    expect(BigInt(p.totalMinor)).toBe(9n * perLine);
    expect(p.totalMinor).toBe(8_999_909_999_100_009);
    expect(BigInt(p.oneTime.subtotalMinor)).toBe(9n * perLine);
  });

  test("ten such lines pass 2^53 − 1: refused with the limit named, never priced off by one", () => {
    expect(10n * perLine > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(() =>
      priceQuote({ currency: "USD", taxRateBps: 0, lines: Array.from({ length: 10 }, () => line()) }),
    ).toThrow(PricingError);
    expect(() =>
      priceQuote({ currency: "USD", taxRateBps: 0, lines: Array.from({ length: 10 }, () => line()) }),
    ).toThrow(String(Number.MAX_SAFE_INTEGER));
  });

  test("tax that pushes a total past the limit is refused too; a 100% discount of a huge quote reports its discount exactly", () => {
    const lines = Array.from({ length: 9 }, () => line());
    expect(() => priceQuote({ currency: "USD", taxRateBps: 2000, lines })).toThrow(PricingError);
    const free = priceQuote({
      currency: "USD",
      taxRateBps: 0,
      lines: lines.map((l) => ({ ...l, discountBps: 10_000 })),
    });
    expect(free.totalMinor).toBe(0);
    expect(BigInt(free.discountMinor)).toBe(9n * perLine);
  });

  test("formatted money is exact at 16 digits (no float division)", () => {
    expect(formatMoney(8_999_909_999_100_009, "USD")).toBe("$89,999,099,991,000.09");
    expect(formatMoney(Number.MAX_SAFE_INTEGER, "JPY")).toBe("¥9,007,199,254,740,991");
    expect(formatMoney(Number.MAX_SAFE_INTEGER, "KWD")).toEndWith("9,007,199,254,740.991");
    expect(formatMoney(5, "USD")).toBe("$0.05");
  });

  test("property: every total equals the BigInt sum of its parts, or the quote is refused for passing the limit", () => {
    const arbLine = fc.record({
      quantity: fc.integer({ min: 1, max: PRICING_LIMITS.maxQuantity }),
      unitPriceMinor: fc.integer({ min: 0, max: PRICING_LIMITS.maxUnitPriceMinor }),
      discountBps: fc.integer({ min: 0, max: 10_000 }),
      taxable: fc.boolean(),
      kind: fc.constantFrom("one_time", "month", "year"),
    });
    fc.assert(
      fc.property(
        fc.array(arbLine, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 10_000 }),
        (ls, tax) => {
          const lines = ls.map((l) =>
            line({
              ...l,
              billingType: l.kind === "one_time" ? "one_time" : "recurring",
              billingPeriod: l.kind === "one_time" ? null : (l.kind as "month" | "year"),
            }),
          );
          const totals = lines.map((l) => {
            const gross = BigInt(l.quantity) * BigInt(l.unitPriceMinor);
            return (2n * gross * BigInt(10_000 - l.discountBps) + 10_000n) / 20_000n;
          });
          const bucket = (pick: (l: PricingLine) => boolean) => {
            const sub = totals.filter((_, i) => pick(lines[i]!)).reduce((a, b) => a + b, 0n);
            const taxable = totals.filter((_, i) => pick(lines[i]!) && lines[i]!.taxable).reduce((a, b) => a + b, 0n);
            return sub + (2n * taxable * BigInt(tax) + 10_000n) / 20_000n;
          };
          const expected =
            bucket((l) => l.billingType === "one_time") +
            bucket((l) => l.billingPeriod === "month") +
            bucket((l) => l.billingPeriod === "year");
          try {
            const p = priceQuote({ currency: "USD", taxRateBps: tax, lines });
            expect(BigInt(p.totalMinor)).toBe(expected);
            expect(Number.isSafeInteger(p.discountMinor)).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(PricingError);
            expect(expected > BigInt(Number.MAX_SAFE_INTEGER) || (err as Error).message.includes("discount")).toBe(
              true,
            );
          }
        },
      ),
      { seed: 9_007_199, numRuns: 500 },
    );
  });
});
