import { type } from "arktype";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { getFinding } from "../findings";
import { FindingDetailOut, presentFindingDetail } from "../wire";
import { FindingIdArg } from "./args";

export const getFindingTool = surfaceTool({
  name: "aegis_get_finding",
  title: "Get finding",
  action: "aegis.get_finding",
  description:
    "Use this when the user asks about one specific finding: returns its description, affected " +
    "resources, mapped framework control, step-by-step remediation, suppression or resolution details, " +
    "and its history (who acknowledged, suppressed or resolved it and why).",
  input: type({
    finding_id: FindingIdArg,
    "history_limit?": type("1 <= number.integer <= 100").describe(
      "How many history entries to return, newest first (default 50).",
    ),
  }),
  output: FindingDetailOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) =>
    presentFindingDetail(await getFinding(ctx.db, ctx.scope, input.finding_id, ctx.now, input.history_limit ?? 50)),
});
