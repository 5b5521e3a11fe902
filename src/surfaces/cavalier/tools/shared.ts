import { type } from "arktype";
import { IdempotencyKeyArg } from "../../kit/args";
import { MAX_VALID_DAYS, PRICING_LIMITS } from "../pricing";
import type { QuoteLineInput } from "../catalog";
import { Identifier, identifier } from "../../../shared/string-types";

/** Parameters shared by several cavalier tools, described once so every tool says the same thing. */
export const TenantArg = Identifier.describe(
  "The customer tenant: its id (e.g. contosocare) or its name as the user typed it (e.g. ContosoCare); case-insensitive. See cavalier_list_tenants.",
);
export const OptionalTenantArg = Identifier.describe(
  "Only this customer tenant: its id or name (case-insensitive). Omit to include every tenant you may act on.",
);
export const QueryArg = type("0 < string <= 200").describe(
  "Words to search for (all must match, case-insensitive); omit to list everything.",
);
export const QuoteIdArg = Identifier.describe(
  "The quote's id (q_…), as returned by cavalier_list_quotes or cavalier_get_quote.",
);
export const ValidDaysArg = type(`1 <= number.integer <= ${MAX_VALID_DAYS}`).describe(
  `How many days the quote stays valid from now (default 30, at most ${MAX_VALID_DAYS}); after that it reads as expired.`,
);

/**
 * The terms both quote drafts take (cavalier_create_quote and cavalier_revise_quote), spread into each tool's input.
 * Each tool words what leaving out the title or the notes means: a new quote defaults them, a revision keeps them.
 */
export function draftTermArgs(omitted: { title: string; notes: string }) {
  return {
    "title?": type("0 < string <= 200").describe(omitted.title),
    "valid_days?": ValidDaysArg,
    "notes?": type("string <= 2000").describe(omitted.notes),
    idempotency_key: IdempotencyKeyArg,
  } as const;
}

/** The draft terms in the service's words. */
export function toDraftTerms(args: { title?: string; valid_days?: number; notes?: string; idempotency_key: string }) {
  return { title: args.title, validDays: args.valid_days, notes: args.notes, idempotencyKey: args.idempotency_key };
}

export const LineArg = type({
  product: identifier(200).describe(
    "The catalog product: its SKU (e.g. OPS-PRO-SEAT), its name (e.g. Operations Pro) or its id.",
  ),
  quantity: type(`1 <= number.integer <= ${PRICING_LIMITS.maxQuantity}`).describe(
    "How many units (seats, users, devices, hours…): a whole number.",
  ),
  "unit_price_minor?": type(`0 <= number.integer <= ${PRICING_LIMITS.maxUnitPriceMinor}`).describe(
    "Overrides the catalog unit price, in minor units of the tenant's currency (cents, pence: 6500 = $65.00). Omit to use the catalog price.",
  ),
  "discount_bps?": type("0 <= number.integer <= 10000").describe(
    "Discount on this line in basis points (1000 = 10%). Omit for none.",
  ),
  "description?": type("0 < string <= 200").describe("Line text shown to the customer; defaults to the product name."),
});
export const LinesArg = LineArg.array()
  .atLeastLength(1)
  .atMostLength(PRICING_LIMITS.maxLines)
  .describe(
    `The quote lines, 1 to ${PRICING_LIMITS.maxLines}. Prices come from the catalog in the tenant's ` +
      `currency unless overridden. Every amount is an exact integer; a quote whose total would exceed ` +
      `${PRICING_LIMITS.maxAmountMinor} minor units (2^53 − 1) is refused: split it.`,
  );

export type LineArgs = (typeof LineArg.infer)[];

export function toLineInputs(lines: LineArgs): QuoteLineInput[] {
  return lines.map((l) => ({
    product: l.product,
    quantity: l.quantity,
    unitPriceMinor: l.unit_price_minor,
    discountBps: l.discount_bps,
    description: l.description,
  }));
}
