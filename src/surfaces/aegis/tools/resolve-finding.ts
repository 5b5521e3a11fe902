import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { planResolution, resolveFinding } from "../service";
import { actorOf, FindingDetailOut, FindingIdArg } from "./shared";

const Input = type({
  finding_id: FindingIdArg,
  resolution_note: type("10 <= string <= 2000").describe(
    "What was changed to fix it (at least 10 characters), e.g. 'CA policy Require MFA - all users enforced'.",
  ),
  "evidence?": type("1 <= string <= 1000").describe(
    "Where the proof is: change/ticket id, report name, policy id or screenshot reference.",
  ),
});

export const resolveFindingTool = defineTool({
  name: "aegis_resolve_finding",
  title: "aegis.resolve_finding",
  description:
    "Use this when the issue behind a finding has been fixed: marks it Resolved with a resolution note and evidence, which improves the customer's reported posture. Destructive (changes reported posture), so it asks for confirmation first. If the next scan still sees the problem it is reopened.",
  input: Input,
  output: FindingDetailOut,
  scope: "aegis:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  preview: async (input, ctx) => {
    const plan = await planResolution(
      ctx.db,
      ctx.scope,
      { findingId: input.finding_id, resolutionNote: input.resolution_note, evidence: input.evidence },
      ctx.now,
    );
    return {
      summary: `Resolve ${plan.finding.severity} finding "${plan.finding.title}" (${plan.finding.id}, tenant ${plan.finding.tenant_id}): status ${plan.from_status} -> Resolved, note "${plan.resolution_note}"${plan.evidence ? `, evidence ${plan.evidence}` : ""}.`,
      proposal: plan,
    };
  },
  handler: async (input, ctx) =>
    await resolveFinding(
      ctx.db,
      ctx.scope,
      actorOf(ctx),
      { findingId: input.finding_id, resolutionNote: input.resolution_note, evidence: input.evidence },
      ctx.now,
    ),
});
