import { type } from "arktype";
import { getDeal } from "../deals";
import { DealOut, Money, money, presentDeal, presentQuoteSummary, QuoteSummaryOut } from "../wire";
import { effectiveQuoteStatus } from "../pricing";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { Identifier } from "../../../shared/string-types";

export const getDealTool = surfaceTool({
  name: "cavalier_get_deal",
  title: "Get deal",
  action: "cavalier.get_deal",
  description:
    "Use this when you need one deal in full: its stage, contact, quotes (every version) and what it " +
    "is worth per month (MRR) and one-time (NRC) from its live quote.",
  input: type({ deal_id: Identifier.describe("The deal's id (dl_…), from cavalier_list_deals.") }),
  output: type({ deal: DealOut, quotes: QuoteSummaryOut.array(), est_mrr: Money, est_nrc: Money }),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const d = await getDeal(ctx.db, ctx.scope, input.deal_id, ctx.now);
    return {
      deal: presentDeal(d.deal, d.tenant.name, d.people),
      quotes: d.quotes.map((q) =>
        presentQuoteSummary(q, effectiveQuoteStatus(q.status, q.validUntil, ctx.now), d.tenant.name),
      ),
      est_mrr: money(d.estMrrMinor, d.deal.currency),
      est_nrc: money(d.estNrcMinor, d.deal.currency),
    };
  },
});
