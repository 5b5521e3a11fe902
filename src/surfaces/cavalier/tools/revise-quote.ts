import { type } from "arktype";
import { planRevision, reviseQuote, type ReviseQuoteInput } from "../quote-drafts";
import { describePricing, iso, presentProposal, presentQuote, QuoteOut, reference } from "../wire";
import { actorOf, surfaceTool } from "../../kit/tool";
import { draftTermArgs, LinesArg, QuoteIdArg, toDraftTerms, toLineInputs } from "./shared";

const Input = type({
  quote_id: QuoteIdArg,
  "lines?": LinesArg.describe(
    "The new version's lines, replacing all of the old ones. Omit to keep the lines (and their prices) as they are.",
  ),
  ...draftTermArgs({
    title:
      "New title. Omit to keep it; a kept title's quantities (42 seats) follow the new lines, and a quantity that " +
      "cannot be carried over gives the default title (the first product and the customer).",
    notes: "New notes; omit to keep them.",
  }),
});

function toInput(input: typeof Input.infer): ReviseQuoteInput {
  return { quoteId: input.quote_id, lines: input.lines && toLineInputs(input.lines), ...toDraftTerms(input) };
}

export const reviseQuoteTool = surfaceTool({
  name: "cavalier_revise_quote",
  title: "Revise quote",
  action: "cavalier.revise_quote",
  description:
    "Use this when a customer wants changes to a draft, sent or expired quote (other quantities, " +
    "products, discount, a fresh validity). Creates the next version as a draft and marks the old " +
    "version superseded; nothing is deleted. Asks for confirmation first.",
  input: Input,
  output: type({ quote: QuoteOut, superseded_id: "string", replayed: "boolean" }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const plan = await planRevision(ctx.db, ctx.scope, toInput(input), ctx.now);
    const from = reference(plan.source.quote);
    if (plan.existing) {
      return {
        summary: `This idempotency_key already revised ${from} into ${reference(plan.existing.quote)}; confirming returns it unchanged.`,
        proposal: { ...presentProposal(plan), supersedes: from, version: plan.version },
      };
    }
    return {
      summary:
        `Revise ${from} (${plan.source.status}) into ${plan.source.quote.quoteNumber} v${plan.version} ` +
        `as a draft valid until ${iso(plan.validUntil).slice(0, 10)}; ${from} becomes superseded. ` +
        (plan.title !== plan.source.quote.title
          ? `Title: "${plan.source.quote.title}" becomes "${plan.title}". `
          : "") +
        `${describePricing(plan.tenant, plan.pricing)}`,
      proposal: { ...presentProposal(plan), supersedes: from, version: plan.version },
    };
  },
  handler: async (input, ctx) => {
    const r = await reviseQuote(ctx.db, ctx.scope, toInput(input), actorOf(ctx), ctx.now);
    return { quote: presentQuote(r.detail), superseded_id: r.supersededId, replayed: r.replayed };
  },
});
