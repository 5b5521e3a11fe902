import { type } from "arktype";
import { pageOut, presentPage } from "../../kit/page-wire";
import { DEAL_STAGES } from "../../../store/schema/cavalier";
import { listDeals } from "../deals";
import { DealOut, presentDeal } from "../wire";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { OptionalTenantArg } from "./shared";

export const listDealsTool = surfaceTool({
  name: "cavalier_list_deals",
  title: "List deals",
  action: "cavalier.list_deals",
  description:
    "Use this when the user asks about the sales pipeline, open opportunities, or which deal a quote " +
    "belongs to. Lists deals newest first, optionally for one customer and stages.",
  input: type({
    "tenant_id?": OptionalTenantArg,
    "stages?": type
      .enumerated(...DEAL_STAGES)
      .array()
      .atMostLength(6)
      .describe("Only deals in these stages (lead, qualified, proposal, negotiation, closed_won, closed_lost)."),
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: pageOut(DealOut),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await listDeals(ctx.db, ctx.scope, {
      tenant: input.tenant_id,
      stages: input.stages,
      cursor: input.cursor,
      limit: input.limit,
    });
    return presentPage(page, (i) => presentDeal(i.deal, i.tenantName, i.people));
  },
});
