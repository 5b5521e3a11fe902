import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { DAY_MS } from "../ocsf";
import { parseIsoTime } from "../paging";
import { getPostureTrend } from "../service";
import { IsoTimeArg, READ_ONLY, TenantIdArg } from "./shared";

export const getPostureTrendTool = defineTool({
  name: "aegis_get_posture_trend",
  title: "aegis.get_posture_trend",
  description:
    "Use this when the user asks how a customer's security score changed over time (last quarter, since onboarding, for a QBR): returns the score series per day, week or month with start/end/min/max and the change per category. Defaults to the last 90 days by week.",
  input: type({
    "tenant_id?": TenantIdArg,
    "from?": IsoTimeArg("Start of the period (default: 90 days ago)"),
    "to?": IsoTimeArg("End of the period (default: now)"),
    "interval?": type("'day' | 'week' | 'month'").describe(
      "Bucket size of the series; each bucket reports its last daily snapshot (default week).",
    ),
  }),
  output: type({
    tenant_id: "string",
    tenant_name: "string",
    interval: "'day' | 'week' | 'month'",
    from: "string",
    to: "string",
    points: type({ date: "string", score: "number", max_score: "number", percent: "number" }).array(),
    start_percent: "number | null",
    end_percent: "number | null",
    change_points: "number | null",
    min_percent: "number | null",
    max_percent: "number | null",
    by_category_change: type({ category: "string", start_percent: "number", end_percent: "number" }).array(),
  }),
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const to = input.to ? parseIsoTime(input.to, "to") : ctx.now;
    const from = input.from ? parseIsoTime(input.from, "from") : to - 90 * DAY_MS;
    return await getPostureTrend(ctx.db, ctx.scope, {
      tenantId: input.tenant_id,
      from,
      to,
      interval: input.interval ?? "week",
    });
  },
});
