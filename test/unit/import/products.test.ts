import { describe, expect, test } from "bun:test";
import { decimalToMinor } from "../../../src/import/money";
import { parseProductsCsv } from "../../../src/import/kinds/products";

describe("decimalToMinor (ISO 4217 exponent, exact)", () => {
  const minor = (text: string, currency: string, comma = false) => {
    const r = decimalToMinor(text, currency, comma);
    return r.ok ? r.minor : r.expected;
  };

  test("USD takes two decimals: 12.50 is 1250, 12.5 is 1250, 12.500 is 1250, 12.505 is refused", () => {
    expect(minor("12.50", "USD")).toBe(1250);
    expect(minor("12.5", "USD")).toBe(1250);
    expect(minor("12.500", "USD")).toBe(1250);
    expect(minor("12", "USD")).toBe(1200);
    expect(minor("12.505", "USD")).toBe("a decimal amount of USD with at most 2 decimals, e.g. 12.50");
  });

  test("JPY takes none, KWD three", () => {
    expect(minor("52000", "JPY")).toBe(52000);
    expect(minor("520.5", "JPY")).toBe("a whole number of JPY (it has no minor unit), e.g. 1250");
    expect(minor("1.234", "KWD")).toBe(1234);
    expect(minor("1.2345", "KWD")).toContain("at most 3 decimals");
  });

  test("no signs, symbols, thousands separators or exponents; a decimal comma only in a ; file", () => {
    for (const bad of ["-1.00", "+1", "$12.50", "1,234.50", "1e3", " ", "", "1.", ".5", "0x10"])
      expect(typeof minor(bad, "USD")).toBe("string");
    expect(typeof minor("12,50", "EUR")).toBe("string");
    expect(minor("12,50", "EUR", true)).toBe(1250);
  });

  test("no float rounding at large magnitudes; beyond the safe integer range is refused", () => {
    expect(minor("90071992547409.91", "USD")).toBe(9007199254740991);
    expect(minor("90071992547409.92", "USD")).toContain("too large");
  });
});

describe("parseProductsCsv", () => {
  const HEAD = "sku,name,product_class,billing,unit_price,currency";

  test("defaults fill the optional columns; one product gathers its prices per currency", () => {
    const out = parseProductsCsv(`${HEAD}\nA-1,Alpha,service,monthly,10,USD\nA-1,Alpha,service,monthly,8,GBP\n`, "USD");
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.entries).toHaveLength(1);
    expect(out.entries[0]).toMatchObject({
      sku: "A-1",
      description: "",
      unit: "each",
      billingType: "recurring",
      billingPeriod: "month",
      taxable: true,
      active: true,
      prices: [
        { currency: "USD", unitPriceMinor: 1000, unitCostMinor: 0 },
        { currency: "GBP", unitPriceMinor: 800, unitCostMinor: 0 },
      ],
    });
  });

  test("a missing currency column takes the catalog tenant's currency", () => {
    const out = parseProductsCsv("sku,name,product_class,billing,unit_price\nB,Beta,labor,one_time,150\n", "GBP");
    expect(out.ok && out.entries[0]!.prices[0]!.currency).toBe("GBP");
  });

  test("a repeated (sku, currency), a SKU whose rows disagree, and an unknown currency are named by line", () => {
    const out = parseProductsCsv(
      `${HEAD}\nA,Alpha,service,monthly,10,USD\nA,Alpha,service,monthly,11,USD\nA,Alpha 2,service,monthly,9,EUR\nC,Gamma,service,monthly,1,XYZ\n`,
      "USD",
    );
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.problems).toEqual([
      {
        line: 3,
        column: 6,
        field: "currency",
        message: "A already has a USD price on line 2; one row per SKU and currency",
      },
      {
        line: 4,
        column: 1,
        field: "sku",
        message:
          "A is also on line 2 with a different name; every row of one SKU must repeat its product fields (only currency and prices vary)",
      },
      { line: 5, column: 6, field: "currency", message: '"XYZ" is not an ISO 4217 currency code such as USD' },
    ]);
  });

  test("every problem of a row is reported, not just the first", () => {
    const out = parseProductsCsv(`${HEAD},taxable\n,,gadget,weekly,abc,USD,maybe\n`, "USD");
    expect(out.ok).toBe(false);
    if (!out.ok)
      expect(out.problems.map((p) => p.field)).toEqual([
        "sku",
        "name",
        "product_class",
        "billing",
        "taxable",
        "unit_price",
      ]);
  });

  test("a ; file (EU Excel) reads decimal commas", () => {
    const out = parseProductsCsv(
      "sku;name;product_class;billing;unit_price;currency\nE;Eta;service;annual;12,50;EUR\n",
      "EUR",
    );
    expect(out.ok && out.entries[0]!.prices[0]!.unitPriceMinor).toBe(1250);
  });
});
