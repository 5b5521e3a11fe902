import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatMoney, type PricingLine, priceQuote } from "../../../src/surfaces/cavalier/pricing";
import { summariseQuote } from "../../../src/surfaces/forge/compose";
import { draftQuoteCoverNote } from "../../../src/surfaces/forge/messages";
import { type ContactFacts, quoteFactsOf } from "../../../src/surfaces/forge/entities";
import { FactSheet, greetingName } from "../../../src/surfaces/forge/facts";

/**
 * The grounding contract, as properties over generated quotes: a cover note shows each line's total and each
 * bucket's subtotal, tax and total exactly as cavalier's pricing computed them, and every money amount in the
 * text is one of the returned facts.
 */

const lineArb: fc.Arbitrary<PricingLine> = fc
  .record({
    quantity: fc.integer({ min: 1, max: 500 }),
    unitPriceMinor: fc.integer({ min: 0, max: 500_000 }),
    discountBps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
    billing: fc.constantFrom("one_time", "month", "year"),
    taxable: fc.boolean(),
  })
  .map(
    (l): PricingLine => ({
      productId: null,
      sku: `SKU-${l.billing}`,
      description: `Item ${l.billing}`,
      unit: "each",
      billingType: l.billing === "one_time" ? "one_time" : "recurring",
      billingPeriod: l.billing === "one_time" ? null : l.billing,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      discountBps: l.discountBps,
      taxable: l.taxable,
    }),
  );

const contact: ContactFacts = {
  id: "ctc_x",
  name: "Dr. Maya Chen",
  email: "maya@example.test",
  title: "Director",
  is_primary: true,
};

const MONEY = /[$£¥][\d,]*\d(?:\.\d+)?/g;

describe("quote drafts are grounded in the quote's own pricing", () => {
  test("line totals and bucket subtotal/tax/total appear exactly; every amount in the text is a fact", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom("USD", "GBP", "JPY"),
        fc.integer({ min: 0, max: 2500 }),
        fc.constantFrom("formal" as const, "friendly" as const),
        (lines, currency, taxRateBps, tone) => {
          const pricing = priceQuote({ currency, taxRateBps, lines });
          const q = quoteFactsOf(
            {
              quote: {
                id: "q_x",
                quoteNumber: "Q-1",
                version: 1,
                title: "T",
                currency,
                validUntil: 0,
                notes: "",
              },
              status: "draft",
              tenant: { id: "t", name: "T Ltd" },
              pricing,
            },
            contact,
          );
          const sheet = new FactSheet();
          const d = draftQuoteCoverNote(q, "Sam", tone, contact, sheet);
          const m = (minor: number) => formatMoney(minor, currency);
          for (const l of pricing.lines) expect(d.body).toContain(`= ${m(l.lineTotalMinor)}`);
          for (const [label, b] of [
            ["One-time", pricing.oneTime],
            ["Monthly recurring", pricing.recurringMonthly],
            ["Annual recurring", pricing.recurringAnnual],
          ] as const) {
            const present = d.body.includes(`${label}: subtotal`);
            if (present) {
              expect(d.body).toContain(`${label}: subtotal ${m(b.subtotalMinor)}`);
              expect(d.body).toContain(`tax ${m(b.taxMinor)} (${taxRateBps / 100}%, not included`);
              expect(d.body).toContain(`total ${m(b.totalMinor)}`);
            }
          }
          expect(d.body).toContain(`${m(pricing.totalMinor)} including tax`);
          const values = new Set(sheet.facts.map((f) => String(f.value)));
          for (const amount of d.body.match(MONEY) ?? []) expect(values).toContain(amount);
          expect(d.body).toStartWith(tone === "formal" ? "Dear Dr. Chen," : "Hi Dr. Chen,");
          expect(d.to).toBe("Dr. Maya Chen <maya@example.test>");
          const s = summariseQuote(q, "client_executive", new FactSheet());
          for (const amount of `${s.headline} ${s.summary}`.match(MONEY) ?? []) expect(values).toContain(amount);
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });

  test("the greeting is never a bare honorific", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("Dr.", "Dr", "Prof.", "Mrs", "Ms.", ""),
        fc.stringMatching(/^[A-Z][a-z]{1,8}$/),
        fc.option(fc.stringMatching(/^[A-Z][a-z]{1,8}$/), { nil: undefined }),
        (honorific, first, last) => {
          const name = [honorific, first, last].filter(Boolean).join(" ");
          const g = greetingName(name);
          expect(g).not.toMatch(/^(?:Dr|Prof|Mrs|Ms)\.?$/);
          if (honorific) expect(g).toBe(`${honorific.endsWith(".") ? honorific : `${honorific}.`} ${last ?? first}`);
          else expect(g).toBe(first);
        },
      ),
      { seed: 15, numRuns: 200 },
    );
  });
});
