import { type } from "arktype";
import { transitionQuote } from "../service";
import { presentQuote, QuoteOut, QuoteStatusOut, reference } from "../wire";
import { cavalierTool, QuoteIdArg } from "./shared";

export const markQuoteSentTool = cavalierTool({
  name: "cavalier_mark_quote_sent",
  title: "cavalier.mark_quote_sent",
  description:
    "Use this when the user has delivered a draft quote to the customer and it should now count as sent (awaiting their decision). The appliance itself sends nothing. Asks for confirmation first.",
  input: type({ quote_id: QuoteIdArg }),
  output: type({ quote: QuoteOut, previous_status: QuoteStatusOut, changed: "boolean" }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const r = await transitionQuote(ctx.db, ctx.scope, { quoteId: input.quote_id, to: "sent" }, ctx.now, {
      dryRun: true,
    });
    const ref = reference(r.detail.quote);
    return {
      summary: r.changed
        ? `Mark ${ref} "${r.detail.quote.title}" for ${r.detail.tenant.name} as sent to the customer.`
        : `${ref} is already sent; nothing would change.`,
      proposal: {
        quote_id: r.detail.quote.id,
        reference: ref,
        tenant: { id: r.detail.tenant.id, name: r.detail.tenant.name },
        from: r.previousStatus,
        to: "sent",
      },
    };
  },
  handler: async (input, ctx) => {
    const r = await transitionQuote(ctx.db, ctx.scope, { quoteId: input.quote_id, to: "sent" }, ctx.now);
    return { quote: presentQuote(r.detail), previous_status: r.previousStatus, changed: r.changed };
  },
});
