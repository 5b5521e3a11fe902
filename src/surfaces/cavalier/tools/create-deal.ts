import { type } from "arktype";
import { createDeal } from "../deals";
import { DealOut, presentDeal } from "../wire";
import { IdempotencyKeyArg } from "../../kit/args";
import { actorOf, surfaceTool } from "../../kit/tool";
import { TenantArg } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const createDealTool = surfaceTool({
  name: "cavalier_create_deal",
  title: "Create deal",
  action: "cavalier.create_deal",
  description:
    "Use this when the user wants to record a new sales opportunity for a customer (before or " +
    "alongside a quote). Creates an open deal owned by you; repeating the call with the same idempotency_key " +
    "returns the same deal. The result's warnings list what was accepted but looks wrong (a past " +
    "expected_close_date); tell the user.",
  input: type({
    tenant_id: TenantArg,
    name: type("0 < string <= 200").describe("What the deal is about, e.g. 'Operations Pro rollout'."),
    "stage?": type("'lead' | 'qualified' | 'proposal' | 'negotiation'").describe(
      "Where the deal starts in the pipeline; default lead.",
    ),
    "expected_close_date?": type(/^\d{4}-\d{2}-\d{2}$/).describe(
      "When it is expected to close, as YYYY-MM-DD. A date in the past is saved, with a warning in the result.",
    ),
    "contact_id?": Identifier.describe(
      "The customer's main contact for this deal (ctc_…, from cavalier_list_contacts).",
    ),
    "notes?": type("string <= 2000").describe("Free-text notes for the sales team."),
    idempotency_key: IdempotencyKeyArg,
  }),
  output: type({
    deal: DealOut,
    replayed: "boolean",
    warnings: type("string[]").describe("What was accepted but looks wrong, e.g. a past expected_close_date."),
  }),
  scope: "cavalier:write",
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (input, ctx) => {
    const r = await createDeal(
      ctx.db,
      ctx.scope,
      {
        tenant: input.tenant_id,
        name: input.name,
        stage: input.stage,
        expectedCloseDate: input.expected_close_date,
        contactId: input.contact_id,
        notes: input.notes,
        idempotencyKey: input.idempotency_key,
      },
      actorOf(ctx),
      ctx.now,
    );
    return { deal: presentDeal(r.deal, r.tenant.name, r.people), replayed: r.replayed, warnings: r.warnings };
  },
});
