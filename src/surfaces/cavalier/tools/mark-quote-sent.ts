import { type } from "arktype";
import { transitionQuote } from "../quote-decisions";
import { presentQuote, QuoteOut, QuoteStatusOut, reference } from "../wire";
import type { ToolContext } from "../../../mcp/define-tool";
import { surfaceTool } from "../../kit/tool";
import { QuoteIdArg } from "./shared";

function sendInput(quoteId: string, ctx: ToolContext) {
  return {
    quoteId,
    to: "sent" as const,
    policy: { technicianMaxDiscountBps: ctx.config.policy.technician_max_discount_bps },
  };
}

export const markQuoteSentTool = surfaceTool({
  name: "cavalier_mark_quote_sent",
  title: "Mark quote sent",
  action: "cavalier.mark_quote_sent",
  description:
    "Use this when the user has delivered a draft quote to the customer and it should now count as " +
    "sent (awaiting their decision). The appliance itself sends nothing. Asks for confirmation " +
    "first. Quote approval policy: a technician cannot send a quote with any line discounted more " +
    "than policy.technician_max_discount_bps (default 15%); an msp_admin or platform_admin must send " +
    "it, which approves it.",
  input: type({ quote_id: QuoteIdArg }),
  output: type({ quote: QuoteOut, previous_status: QuoteStatusOut, changed: "boolean" }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const r = await transitionQuote(ctx.db, ctx.scope, sendInput(input.quote_id, ctx), ctx.now, { dryRun: true });
    const ref = reference(r.detail.quote);
    const override = r.policyOverride
      ? ` This approves discounts above the technician cap of ${r.policyOverride.capBps / 100}% on line(s) ` +
        `${r.policyOverride.lines.map((l) => l.lineNo).join(", ")}.`
      : "";
    return {
      summary: r.changed
        ? `Mark ${ref} "${r.detail.quote.title}" for ${r.detail.tenant.name} as sent to the customer.${override}`
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
    const r = await transitionQuote(ctx.db, ctx.scope, sendInput(input.quote_id, ctx), ctx.now);
    if (r.policyOverride) {
      const o = r.policyOverride;
      ctx.annotateAudit?.({
        policy: {
          rule: o.rule,
          exceeded: true,
          cap_bps: o.capBps,
          lines: o.lines.map((l) => ({ line_no: l.lineNo, discount_bps: l.discountBps })),
          approved_by: { user_id: o.approvedBy.userId, role: o.approvedBy.role },
        },
      });
    }
    return { quote: presentQuote(r.detail), previous_status: r.previousStatus, changed: r.changed };
  },
});
