import { type } from "arktype";
import { IsoTimeArg, parseIsoTime } from "../../kit/args";
import { actorOf, surfaceTool } from "../../kit/tool";
import { planSuppression, type SuppressInput, suppressFinding } from "../finding-workflow";
import { MAX_SUPPRESSION_DAYS } from "../ocsf";
import { describeFinding, FindingDetailOut, presentFindingDetail, presentSuppressPlan } from "../wire";
import { FindingIdArg } from "./args";

const Input = type({
  finding_id: FindingIdArg,
  reason: type("'accepted_risk' | 'third_party' | 'false_positive'").describe(
    "Why: accepted_risk (the client accepts the risk), third_party (mitigated by another control or vendor), false_positive (the scanner is wrong).",
  ),
  justification: type("10 <= string <= 2000").describe(
    "Who decided and why, in words an auditor will accept (at least 10 characters).",
  ),
  expires_at: IsoTimeArg(
    `When the suppression lapses and the finding counts as New again; at most ${MAX_SUPPRESSION_DAYS} days from now`,
  ),
});

function toInput(input: typeof Input.infer): SuppressInput {
  return {
    findingId: input.finding_id,
    reason: input.reason,
    justification: input.justification,
    expiresAt: parseIsoTime(input.expires_at, "expires_at"),
  };
}

export const suppressFindingTool = surfaceTool({
  name: "aegis_suppress_finding",
  title: "Suppress finding",
  action: "aegis.suppress_finding",
  description:
    "Use this when the client accepts a risk, it is mitigated by a third party, or it is a false positive: " +
    `takes the finding out of open counts until expires_at (at most ${MAX_SUPPRESSION_DAYS} days) and ` +
    "recomputes the posture score at once, winning back half the finding's points (a suppressed risk is not " +
    "removed); when the suppression lapses the points are lost again. Destructive (it changes reported posture), " +
    "so it asks for confirmation first. Needs a justification.",
  input: Input,
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  preview: async (input, ctx) => {
    const plan = await planSuppression(ctx.db, ctx.scope, toInput(input), ctx.now);
    const f = plan.finding;
    const until = new Date(plan.expiresAt).toISOString().slice(0, 10);
    return {
      summary:
        `Suppress ${describeFinding(f)} as ${plan.reason} ` +
        `until ${until} (${plan.days} days): status ${plan.fromStatus} -> Suppressed. ` +
        "It will not count as open until then.",
      proposal: presentSuppressPlan(plan),
    };
  },
  handler: async (input, ctx) =>
    presentFindingDetail(await suppressFinding(ctx.db, ctx.scope, actorOf(ctx), toInput(input), ctx.now)),
});
