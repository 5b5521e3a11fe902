import { type } from "arktype";
import { priceQuoteFor } from "../catalog";
import { describePricing, presentPricing, ProposalOut } from "../wire";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { LinesArg, TenantArg, toLineInputs } from "./shared";

export const priceQuoteTool = surfaceTool({
  name: "cavalier_price_quote",
  title: "Price quote",
  action: "cavalier.price_quote",
  description:
    "Use this when the user wants to know what something would cost a customer before committing " +
    '("how much would 10 Operations Pro seats be for Tailspin?"). Prices lines in the customer\'s ' +
    "currency with its tax rate; saves nothing. Amounts are exact integers of minor units up to 2^53 " +
    "− 1 (larger totals are refused).",
  input: type({ tenant_id: TenantArg, lines: LinesArg }),
  output: type({ pricing: ProposalOut, summary: "string" }),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const { tenant, pricing } = await priceQuoteFor(ctx.db, ctx.scope, {
      tenant: input.tenant_id,
      lines: toLineInputs(input.lines),
    });
    return {
      pricing: presentPricing(tenant, pricing, {
        title: "Price check (not saved)",
        dealId: null,
        contact: null,
        validUntil: null,
      }),
      summary: describePricing(tenant, pricing),
    };
  },
});
