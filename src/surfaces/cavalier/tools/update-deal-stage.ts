import { type } from "arktype";
import { DEAL_STAGES } from "../../../store/schema/cavalier";
import { updateDealStage } from "../deals";
import { DealOut, presentDeal } from "../wire";
import type { ToolContext } from "../../../mcp/define-tool";
import { surfaceTool } from "../../kit/tool";
import { Identifier } from "../../../shared/string-types";

const Input = type({
  deal_id: Identifier.describe("The deal's id (dl_…), from cavalier_list_deals."),
  stage: type.enumerated(...DEAL_STAGES).describe("The new stage; closed_won and closed_lost close the deal for good."),
  "reason?": type("0 < string <= 500").describe(
    "Why: required for closed_lost (e.g. 'budget — revisit Q3'); otherwise kept as a note.",
  ),
});

/** The one service call behind both the preview (a dry run) and the confirmed call. */
function moveDeal(input: typeof Input.infer, ctx: ToolContext, opts?: { dryRun: boolean }) {
  const change = { dealId: input.deal_id, stage: input.stage, reason: input.reason };
  return updateDealStage(ctx.db, ctx.scope, change, ctx.now, opts);
}

export const updateDealStageTool = surfaceTool({
  name: "cavalier_update_deal_stage",
  title: "Update deal stage",
  action: "cavalier.update_deal_stage",
  description:
    "Use this when the user says a deal moved forward, or was won or lost. Moves the deal to another " +
    "stage or closes it; closed deals do not reopen. Asks for confirmation first.",
  input: Input,
  output: type({ deal: DealOut, previous_stage: type.enumerated(...DEAL_STAGES), changed: "boolean" }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const r = await moveDeal(input, ctx, { dryRun: true });
    const summary = r.changed
      ? `Move deal "${r.deal.name}" for ${r.tenant.name} [${r.tenant.id}] from ${r.previousStage} to ` +
        `${input.stage}${input.reason ? ` (reason: ${input.reason})` : ""}.`
      : `Deal "${r.deal.name}" is already ${input.stage}; nothing would change.`;
    return {
      summary,
      proposal: {
        deal_id: r.deal.id,
        tenant: { id: r.tenant.id, name: r.tenant.name },
        from: r.previousStage,
        to: input.stage,
        reason: input.reason ?? null,
      },
    };
  },
  handler: async (input, ctx) => {
    const r = await moveDeal(input, ctx);
    return { deal: presentDeal(r.deal, r.tenant.name, r.people), previous_stage: r.previousStage, changed: r.changed };
  },
});
