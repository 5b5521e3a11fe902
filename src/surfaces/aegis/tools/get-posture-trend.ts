import { type } from "arktype";
import { IsoTimeArg, parsePeriod, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { getPostureTrend } from "../posture";
import { PostureTrendOut, presentPostureTrend } from "../wire";
import { TenantIdArg } from "./args";

export const getPostureTrendTool = surfaceTool({
  name: "aegis_get_posture_trend",
  title: "Get posture trend",
  action: "aegis.get_posture_trend",
  description:
    "Use this when the user asks how a customer's security score changed over time (last quarter, since " +
    "onboarding, for a QBR): returns the score series per day, week or month with start/end/min/max and " +
    "the change per category. Defaults to the last 90 days by week.",
  input: type({
    "tenant_id?": TenantIdArg,
    "from?": IsoTimeArg("Start of the period (default: 90 days before to)"),
    "to?": IsoTimeArg("End of the period (default: now)"),
    "interval?": type("'day' | 'week' | 'month'").describe(
      "Bucket size of the series; each bucket reports its last daily snapshot (default week).",
    ),
  }),
  output: PostureTrendOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const { from, to } = parsePeriod(input.from, input.to, ["from", "to"], ctx.now);
    const trend = await getPostureTrend(ctx.db, ctx.scope, {
      tenantId: input.tenant_id,
      from,
      to,
      interval: input.interval ?? "week",
    });
    return presentPostureTrend(trend);
  },
});
