import { type } from "arktype";
import { createQuote, proposeQuote, type CreateQuoteInput } from "../quote-drafts";
import { describePricing, iso, presentProposal, presentQuote, QuoteOut, reference } from "../wire";
import { actorOf, surfaceTool } from "../../kit/tool";
import { draftTermArgs, LinesArg, TenantArg, toDraftTerms, toLineInputs } from "./shared";
import { Identifier } from "../../../shared/string-types";

const Input = type({
  tenant_id: TenantArg,
  lines: LinesArg,
  "deal_id?": Identifier.describe(
    "The customer's open deal this quote belongs to (dl_…, from cavalier_list_deals). Optional.",
  ),
  "contact_id?": Identifier.describe("Who the quote is addressed to (ctc_…, from cavalier_list_contacts). Optional."),
  ...draftTermArgs({
    title: "Quote title shown to the customer; defaults to the deal name or the first line.",
    notes: "Terms or notes printed on the quote.",
  }),
});

function toInput(input: typeof Input.infer): CreateQuoteInput {
  return {
    tenant: input.tenant_id,
    lines: toLineInputs(input.lines),
    dealId: input.deal_id,
    contactId: input.contact_id,
    ...toDraftTerms(input),
  };
}

export const createQuoteTool = surfaceTool({
  name: "cavalier_create_quote",
  title: "Create quote",
  action: "cavalier.create_quote",
  description:
    'Use this when the user asks to draft or create a quote for a customer (e.g. "Draft a quote for ' +
    'ContosoCare with one Operations Pro seat"). Prices the lines from the catalog in the ' +
    "customer's currency with its tax and saves a draft quote (version 1). The first call returns " +
    "confirmation_required with the proposed quote; show it to the user and call again with " +
    "confirmed: true once they approve.",
  input: Input,
  output: type({ quote: QuoteOut, replayed: "boolean" }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const p = await proposeQuote(ctx.db, ctx.scope, toInput(input), ctx.now);
    if (p.existing) {
      return {
        summary: `This idempotency_key already created ${reference(p.existing.quote)} for ${p.tenant.name}; confirming returns that quote unchanged.`,
        proposal: { ...presentProposal(p), existing_quote_id: p.existing.quote.id },
      };
    }
    return {
      summary: `Create a draft quote "${p.title}" valid until ${iso(p.validUntil).slice(0, 10)}. ${describePricing(p.tenant, p.pricing)}`,
      proposal: { ...presentProposal(p), existing_quote_id: null },
    };
  },
  handler: async (input, ctx) => {
    const r = await createQuote(ctx.db, ctx.scope, toInput(input), actorOf(ctx), ctx.now);
    return { quote: presentQuote(r.detail), replayed: r.replayed };
  },
});
