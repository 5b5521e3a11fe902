import { type } from "arktype";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { getPostureSummary } from "../posture";
import { PostureSummaryOut, presentPostureSummary } from "../wire";
import { TenantIdArg } from "./args";

export const getPostureSummaryTool = surfaceTool({
  name: "aegis_get_posture_summary",
  title: "Get posture summary",
  action: "aegis.get_posture_summary",
  description:
    "Use this when the user asks how secure a customer is right now: returns the current " +
    "Secure-Score-style score and percentage, the score by category (Identity, Device, Data, Apps, " +
    "Infrastructure), the change over 30 days, the improvement actions worth the most points, and open " +
    "findings by severity.",
  input: type({
    "tenant_id?": TenantIdArg,
    "top_actions?": type("1 <= number.integer <= 20").describe(
      "How many improvement actions to return, best first (default 5).",
    ),
  }),
  output: PostureSummaryOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) =>
    presentPostureSummary(await getPostureSummary(ctx.db, ctx.scope, input.tenant_id, ctx.now, input.top_actions ?? 5)),
});
