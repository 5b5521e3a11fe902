import { describe, expect, test } from "bun:test";
import {
  DAY_MS,
  divRoundHalfUp,
  effectiveQuoteStatus,
  formatMoney,
  priceQuote,
  PricingError,
  taxOn,
  validUntilFrom,
  type PricingLine,
} from "../../../src/surfaces/cavalier/pricing";

const seat: PricingLine = {
  productId: "prd_ops_pro",
  sku: "OPS-PRO-SEAT",
  description: "Operations Pro",
  unit: "seat",
  billingType: "recurring",
  billingPeriod: "month",
  quantity: 1,
  unitPriceMinor: 6500,
  discountBps: 0,
  taxable: true,
};
const onboarding: PricingLine = {
  ...seat,
  productId: "prd_onb",
  sku: "ONB-FEE",
  description: "Onboarding",
  unit: "each",
  billingType: "one_time",
  billingPeriod: null,
  unitPriceMinor: 150000,
};
const awareness: PricingLine = { ...seat, sku: "SEC-AWARE", billingPeriod: "year", unitPriceMinor: 2400 };

describe("rounding", () => {
  test("divRoundHalfUp rounds halves up and everything else to nearest", () => {
    expect(divRoundHalfUp(5n, 10n)).toBe(1n);
    expect(divRoundHalfUp(4n, 10n)).toBe(0n);
    expect(divRoundHalfUp(15n, 10n)).toBe(2n);
    expect(divRoundHalfUp(14n, 10n)).toBe(1n);
    expect(() => divRoundHalfUp(-1n, 10n)).toThrow(PricingError);
  });

  test("tax is rounded half up to the minor unit", () => {
    expect(taxOn(6500, 725)).toBe(471); // 471.25
    expect(taxOn(200, 725)).toBe(15); // 14.5 -> 15
    expect(taxOn(6500, 2000)).toBe(1300);
    expect(taxOn(0, 2000)).toBe(0);
  });

  test("tax is computed once per bucket on the taxable sum, not per line", () => {
    const nickel: PricingLine = { ...seat, unitPriceMinor: 5, quantity: 1 };
    const p = priceQuote({ currency: "USD", taxRateBps: 725, lines: [nickel, nickel, nickel] });
    // per line: round(0.3625) = 0 each; on the sum: round(15 * 0.0725 = 1.0875) = 1
    expect(p.recurringMonthly.taxMinor).toBe(1);
  });
});

describe("priceQuote", () => {
  test("one Operations Pro seat for a 0% tenant: $65.00 monthly, no tax", () => {
    const p = priceQuote({ currency: "USD", taxRateBps: 0, lines: [seat] });
    expect(p.recurringMonthly).toEqual({ subtotalMinor: 6500, taxableMinor: 6500, taxMinor: 0, totalMinor: 6500 });
    expect(p.oneTime.totalMinor).toBe(0);
    expect(p.totalMinor).toBe(6500);
    expect(p.lines[0]!.lineNo).toBe(1);
  });

  test("keeps one-time, monthly and annual buckets apart and taxes each", () => {
    const p = priceQuote({
      currency: "GBP",
      taxRateBps: 2000,
      lines: [{ ...seat, quantity: 10 }, onboarding, { ...awareness, quantity: 10 }],
    });
    expect(p.recurringMonthly.subtotalMinor).toBe(65000);
    expect(p.recurringMonthly.taxMinor).toBe(13000);
    expect(p.oneTime.subtotalMinor).toBe(150000);
    expect(p.oneTime.taxMinor).toBe(30000);
    expect(p.recurringAnnual.subtotalMinor).toBe(24000);
    expect(p.recurringAnnual.taxMinor).toBe(4800);
    expect(p.taxMinor).toBe(13000 + 30000 + 4800);
    expect(p.totalMinor).toBe(65000 + 150000 + 24000 + 47800);
  });

  test("untaxed lines are excluded from the taxable base", () => {
    const p = priceQuote({
      currency: "USD",
      taxRateBps: 725,
      lines: [
        { ...seat, taxable: false },
        { ...onboarding, taxable: true, unitPriceMinor: 89900 },
      ],
    });
    expect(p.recurringMonthly.taxMinor).toBe(0);
    expect(p.oneTime.taxMinor).toBe(taxOn(89900, 725));
  });

  test("discounts round half up per line and are reported", () => {
    // 3 × 850 = 2550, 10% off = 2295
    const p = priceQuote({
      currency: "USD",
      taxRateBps: 0,
      lines: [{ ...seat, unitPriceMinor: 850, quantity: 3, discountBps: 1000 }],
    });
    expect(p.lines[0]!.lineTotalMinor).toBe(2295);
    expect(p.discountMinor).toBe(255);
    // 1 × 5 at 50% = 2.5 -> 3
    expect(
      priceQuote({ currency: "USD", taxRateBps: 0, lines: [{ ...seat, unitPriceMinor: 5, discountBps: 5000 }] })
        .lines[0]!.lineTotalMinor,
    ).toBe(3);
  });

  test("stays exact at the largest allowed amounts", () => {
    const p = priceQuote({
      currency: "USD",
      taxRateBps: 9999,
      lines: [{ ...seat, quantity: 100_000, unitPriceMinor: 100_000_000_00 }],
    });
    expect(p.recurringMonthly.subtotalMinor).toBe(100_000 * 100_000_000_00);
    expect(Number.isSafeInteger(p.totalMinor)).toBe(true);
  });

  test("refuses impossible lines with a message naming the field", () => {
    expect(() => priceQuote({ currency: "USD", taxRateBps: 0, lines: [] })).toThrow("at least one line");
    expect(() => priceQuote({ currency: "USD", taxRateBps: 0, lines: [{ ...seat, quantity: 0 }] })).toThrow(
      "lines[0].quantity",
    );
    expect(() => priceQuote({ currency: "USD", taxRateBps: 0, lines: [{ ...seat, quantity: 1.5 }] })).toThrow(
      "lines[0].quantity",
    );
    expect(() => priceQuote({ currency: "USD", taxRateBps: 0, lines: [{ ...seat, unitPriceMinor: -1 }] })).toThrow(
      "unit_price_minor",
    );
    expect(() => priceQuote({ currency: "USD", taxRateBps: 0, lines: [{ ...seat, discountBps: 10001 }] })).toThrow(
      "discount_bps",
    );
    expect(() => priceQuote({ currency: "USD", taxRateBps: 0, lines: [{ ...seat, billingPeriod: null }] })).toThrow(
      "billing period",
    );
  });
});

describe("expiry and validity", () => {
  const now = Date.UTC(2026, 10, 24, 9, 0, 0);
  test("draft and sent quotes past valid_until read as expired; decided ones keep their state", () => {
    expect(effectiveQuoteStatus("sent", now - 1, now)).toBe("expired");
    expect(effectiveQuoteStatus("draft", now, now)).toBe("expired");
    expect(effectiveQuoteStatus("sent", now + 1, now)).toBe("sent");
    expect(effectiveQuoteStatus("accepted", now - DAY_MS, now)).toBe("accepted");
    expect(effectiveQuoteStatus("superseded", now - DAY_MS, now)).toBe("superseded");
  });
  test("valid_until is now + days, within 1..365", () => {
    expect(validUntilFrom(now, 30)).toBe(now + 30 * DAY_MS);
    expect(() => validUntilFrom(now, 0)).toThrow(PricingError);
    expect(() => validUntilFrom(now, 366)).toThrow(PricingError);
  });
});

test("formatMoney uses the currency's exponent and symbol", () => {
  expect(formatMoney(6500, "USD")).toBe("$65.00");
  expect(formatMoney(7800, "GBP")).toBe("£78.00");
  expect(formatMoney(500, "JPY")).toBe("¥500");
  expect(formatMoney(1234, "KWD")).toContain("1.234");
});
