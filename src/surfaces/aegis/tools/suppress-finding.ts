import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { parseIsoTime } from "../paging";
import { planSuppression, suppressFinding } from "../service";
import { actorOf, FindingDetailOut, FindingIdArg, IsoTimeArg, MAX_SUPPRESSION } from "./shared";

const Input = type({
  finding_id: FindingIdArg,
  reason: type("'accepted_risk' | 'third_party' | 'false_positive'").describe(
    "Why: accepted_risk (the client accepts the risk), third_party (mitigated by another control or vendor), false_positive (the scanner is wrong).",
  ),
  justification: type("10 <= string <= 2000").describe(
    "Who decided and why, in words an auditor will accept (at least 10 characters).",
  ),
  expires_at: IsoTimeArg(
    `When the suppression lapses and the finding counts as New again; at most ${MAX_SUPPRESSION} days from now`,
  ),
});

function toInput(input: typeof Input.infer) {
  return {
    findingId: input.finding_id,
    reason: input.reason,
    justification: input.justification,
    expiresAt: parseIsoTime(input.expires_at, "expires_at"),
  };
}

export const suppressFindingTool = defineTool({
  name: "aegis_suppress_finding",
  title: "aegis.suppress_finding",
  description: `Use this when the client accepts a risk, it is mitigated by a third party, or it is a false positive: hides the finding from open counts and scores until expires_at (at most ${MAX_SUPPRESSION} days). Destructive (it changes reported posture), so it asks for confirmation first. Needs a justification.`,
  input: Input,
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const plan = await planSuppression(ctx.db, ctx.scope, toInput(input), ctx.now);
    return {
      summary: `Suppress ${plan.finding.severity} finding "${plan.finding.title}" (${plan.finding.id}, tenant ${plan.finding.tenant_id}) as ${plan.reason} until ${plan.expires_at.slice(0, 10)} (${plan.days} days): status ${plan.from_status} -> Suppressed. It will not count as open until then.`,
      proposal: plan,
    };
  },
  handler: async (input, ctx) => await suppressFinding(ctx.db, ctx.scope, actorOf(ctx), toInput(input), ctx.now),
});
