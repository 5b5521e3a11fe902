import { type } from "arktype";
import { actorOf, surfaceTool } from "../../kit/tool";
import { planResolution, type ResolveInput, resolveFinding } from "../finding-workflow";
import { describeFinding, FindingDetailOut, presentFindingDetail, presentResolutionPlan } from "../wire";
import { FindingIdArg } from "./args";

const Input = type({
  finding_id: FindingIdArg,
  resolution_note: type("10 <= string <= 2000").describe(
    "What was changed to fix it (at least 10 characters), e.g. 'CA policy Require MFA - all users enforced'.",
  ),
  "evidence?": type("1 <= string <= 1000").describe(
    "Where the proof is: change/ticket id, report name, policy id or screenshot reference.",
  ),
});

function toInput(input: typeof Input.infer): ResolveInput {
  return { findingId: input.finding_id, resolutionNote: input.resolution_note, evidence: input.evidence };
}

export const resolveFindingTool = surfaceTool({
  name: "aegis_resolve_finding",
  title: "Resolve finding",
  action: "aegis.resolve_finding",
  description:
    "Use this when the issue behind a finding has been fixed: marks it Resolved with a resolution note " +
    "and evidence and recomputes the posture score at once: the finding earns back its points, and its control's " +
    "once no finding of that control is open or suppressed. Destructive (changes reported posture), so it asks for " +
    "confirmation first. If the next scan still sees the problem it is reopened.",
  input: Input,
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  preview: async (input, ctx) => {
    const plan = await planResolution(ctx.db, ctx.scope, toInput(input), ctx.now);
    const f = plan.finding;
    return {
      summary:
        `Resolve ${describeFinding(f)}: ` +
        `status ${plan.fromStatus} -> Resolved, note "${plan.resolutionNote}"` +
        `${plan.evidence ? `, evidence ${plan.evidence}` : ""}.`,
      proposal: presentResolutionPlan(plan),
    };
  },
  handler: async (input, ctx) =>
    presentFindingDetail(await resolveFinding(ctx.db, ctx.scope, actorOf(ctx), toInput(input), ctx.now)),
});
