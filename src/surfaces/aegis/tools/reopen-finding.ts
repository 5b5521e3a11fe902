import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { reopenFinding } from "../service";
import { actorOf, FindingDetailOut, FindingIdArg } from "./shared";

export const reopenFindingTool = defineTool({
  name: "aegis_reopen_finding",
  title: "aegis.reopen_finding",
  description:
    "Use this when a Suppressed or Resolved finding needs attention again (the risk acceptance was withdrawn, or the fix did not hold): sets it back to New and records why. Not destructive: it makes risk visible again rather than hiding it.",
  input: type({
    finding_id: FindingIdArg,
    reason: type("3 <= string <= 2000").describe("Why it is being reopened, recorded in the finding's history."),
  }),
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: async (input, ctx) =>
    await reopenFinding(
      ctx.db,
      ctx.scope,
      actorOf(ctx),
      { findingId: input.finding_id, reason: input.reason },
      ctx.now,
    ),
});
