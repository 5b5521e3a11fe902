import { type } from "arktype";
import { actorOf, surfaceTool } from "../../kit/tool";
import { reopenFinding } from "../finding-workflow";
import { FindingDetailOut, presentFindingDetail } from "../wire";
import { ADDITIVE_WRITE, FindingIdArg } from "./args";

export const reopenFindingTool = surfaceTool({
  name: "aegis_reopen_finding",
  title: "Reopen finding",
  action: "aegis.reopen_finding",
  description:
    "Use this when a Suppressed or Resolved finding needs attention again (the risk acceptance was " +
    "withdrawn, or the fix did not hold): sets it back to New, records why, and recomputes the posture score " +
    "at once (the finding and its control lose their points again). Not destructive: it makes risk visible " +
    "again rather than hiding it.",
  input: type({
    finding_id: FindingIdArg,
    reason: type("3 <= string <= 2000").describe("Why it is being reopened, recorded in the finding's history."),
  }),
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: ADDITIVE_WRITE,
  handler: async (input, ctx) => {
    const finding = await reopenFinding(
      ctx.db,
      ctx.scope,
      actorOf(ctx),
      { findingId: input.finding_id, reason: input.reason },
      ctx.now,
    );
    return presentFindingDetail(finding);
  },
});
