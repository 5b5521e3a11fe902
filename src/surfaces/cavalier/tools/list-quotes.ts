import { type } from "arktype";
import { pageOut, presentPage } from "../../kit/page-wire";
import { QUOTE_STATUSES } from "../../../store/schema/cavalier";
import { listQuotes } from "../quotes";
import { presentQuoteSummary, QuoteSummaryOut } from "../wire";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { OptionalTenantArg } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const listQuotesTool = surfaceTool({
  name: "cavalier_list_quotes",
  title: "List quotes",
  action: "cavalier.list_quotes",
  description:
    "Use this when the user asks which quotes exist, are waiting on the customer, expired or were " +
    "accepted. Lists quotes newest first with status and totals; filter by customer, status or deal.",
  input: type({
    "tenant_id?": OptionalTenantArg,
    "statuses?": type
      .enumerated(...QUOTE_STATUSES)
      .array()
      .atMostLength(7)
      .describe(
        "Only quotes in these states (draft, sent, accepted, declined, expired, superseded, void); expired means past valid_until.",
      ),
    "deal_id?": Identifier.describe("Only quotes of this deal (dl_…)."),
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: pageOut(QuoteSummaryOut),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await listQuotes(
      ctx.db,
      ctx.scope,
      {
        tenant: input.tenant_id,
        statuses: input.statuses,
        dealId: input.deal_id,
        cursor: input.cursor,
        limit: input.limit,
      },
      ctx.now,
    );
    return presentPage(page, (i) => presentQuoteSummary(i.quote, i.status, i.tenantName));
  },
});
