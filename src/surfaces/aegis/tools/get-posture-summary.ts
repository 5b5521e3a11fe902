import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { getPostureSummary } from "../service";
import { CategoryScoreOut, ImprovementActionOut, READ_ONLY, TenantIdArg } from "./shared";

export const getPostureSummaryTool = defineTool({
  name: "aegis_get_posture_summary",
  title: "aegis.get_posture_summary",
  description:
    "Use this when the user asks how secure a customer is right now: returns the current Secure-Score-style score and percentage, the score by category (Identity, Device, Data, Apps, Infrastructure), the change over 30 days, the improvement actions worth the most points, and open findings by severity.",
  input: type({
    "tenant_id?": TenantIdArg,
    "top_actions?": type("1 <= number.integer <= 20").describe(
      "How many improvement actions to return, best first (default 5).",
    ),
  }),
  output: type({
    tenant_id: "string",
    tenant_name: "string",
    as_of: "string",
    score: "number",
    max_score: "number",
    percent: "number",
    change_30d_points: "number | null",
    by_category: CategoryScoreOut.array(),
    top_improvement_actions: ImprovementActionOut.array(),
    open_findings_by_severity: type({
      severity: "string",
      severity_id: "number.integer",
      count: "number.integer",
    }).array(),
    open_findings_total: "number.integer",
    note: "string",
  }),
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) =>
    await getPostureSummary(ctx.db, ctx.scope, input.tenant_id, ctx.now, input.top_actions ?? 5),
});
