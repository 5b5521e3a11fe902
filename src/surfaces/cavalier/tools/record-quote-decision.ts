import { type } from "arktype";
import { DEAL_STAGES } from "../../../store/schema/cavalier";
import { transitionQuote } from "../quote-decisions";
import { presentQuote, QuoteOut, QuoteStatusOut, reference } from "../wire";
import type { ToolContext } from "../../../mcp/define-tool";
import { surfaceTool } from "../../kit/tool";
import { QuoteIdArg } from "./shared";
import { Identifier } from "../../../shared/string-types";

const Input = type({
  quote_id: QuoteIdArg,
  decision: type("'accepted' | 'declined' | 'void'").describe(
    "accepted or declined: what the customer decided on a sent quote (accepting also marks its deal " +
      "won). void: withdraw a draft, sent or expired quote (it is kept, never deleted).",
  ),
  "reason?": type("0 < string <= 500").describe(
    "What the customer said, or why the quote is withdrawn: required for declined and void.",
  ),
  "contact_id?": Identifier.describe("The customer contact who made the decision (ctc_…)."),
});

/** The one service call behind both the preview (a dry run) and the confirmed call. */
function decide(input: typeof Input.infer, ctx: ToolContext, opts?: { dryRun: boolean }) {
  const decision = { quoteId: input.quote_id, to: input.decision, reason: input.reason, contactId: input.contact_id };
  return transitionQuote(ctx.db, ctx.scope, decision, ctx.now, opts);
}

export const recordQuoteDecisionTool = surfaceTool({
  name: "cavalier_record_quote_decision",
  title: "Record quote decision",
  action: "cavalier.record_quote_decision",
  description:
    "Use this when the customer accepted or declined a sent quote, or when a quote must be withdrawn " +
    "(void). Accepting closes the quote's deal as won. Quotes are never deleted. Asks for " +
    "confirmation first.",
  input: Input,
  output: type({
    quote: QuoteOut,
    previous_status: QuoteStatusOut,
    changed: "boolean",
    deal: type({
      id: "string",
      name: "string",
      previous_stage: type.enumerated(...DEAL_STAGES),
      stage: type.enumerated(...DEAL_STAGES),
    }).or("null"),
  }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const r = await decide(input, ctx, { dryRun: true });
    const ref = reference(r.detail.quote);
    const total = r.detail.pricing;
    const summary = r.changed
      ? `Record ${ref} "${r.detail.quote.title}" for ${r.detail.tenant.name} as ` +
        `${input.decision}${input.reason ? ` (${input.reason})` : ""}; it is ${r.previousStatus} now.` +
        (r.deal ? ` Deal "${r.deal.name}" moves from ${r.deal.previousStage} to closed_won.` : "")
      : `${ref} is already ${input.decision}; nothing would change.`;
    return {
      summary,
      proposal: {
        quote_id: r.detail.quote.id,
        reference: ref,
        tenant: { id: r.detail.tenant.id, name: r.detail.tenant.name },
        from: r.previousStatus,
        to: input.decision,
        reason: input.reason ?? null,
        recurring_monthly_subtotal_minor: total.recurringMonthly.subtotalMinor,
        one_time_subtotal_minor: total.oneTime.subtotalMinor,
        currency: total.currency,
        deal: r.deal,
      },
    };
  },
  handler: async (input, ctx) => {
    const r = await decide(input, ctx);
    return {
      quote: presentQuote(r.detail),
      previous_status: r.previousStatus,
      changed: r.changed,
      deal: r.deal
        ? { id: r.deal.id, name: r.deal.name, previous_stage: r.deal.previousStage, stage: r.deal.stage }
        : null,
    };
  },
});
