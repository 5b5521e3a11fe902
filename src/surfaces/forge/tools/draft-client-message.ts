import { type } from "arktype";
import { ToolError } from "../../../mcp/define-tool";
import { draftFindingExplainer, draftQuoteCoverNote, type Draft } from "../compose";
import { loadFinding, loadQuote } from "../entities";
import { forgeTool, READ_ONLY } from "./shared";

export const draftClientMessageTool = forgeTool({
  name: "forge_draft_client_message",
  title: "forge.draft_client_message",
  description:
    "Use this when a technician wants wording for a customer email: a cover note for a quote (lines, monthly and one-time totals, tax, validity) or a plain-language explainer of a security finding. Returns subject and body for a human to review and send; it never sends anything.",
  input: type({
    purpose: type("'quote_cover_note' | 'finding_explainer'").describe(
      "quote_cover_note (needs a quote id q_…) or finding_explainer (needs a finding id fnd_…).",
    ),
    entity_id: type("0 < string <= 128").describe("The quote id (q_…) or finding id (fnd_…) the message is about."),
    "contact_name?": type("1 <= string <= 120").describe(
      "Who it is addressed to (e.g. Maya Chen); defaults to the quote's contact, else a [CLIENT CONTACT] placeholder.",
    ),
    "tone?": type("'formal' | 'friendly'").describe(
      "formal (Dear…, Kind regards) or friendly (Hi…, Thanks); default friendly.",
    ),
  }),
  output: type({
    purpose: "'quote_cover_note' | 'finding_explainer'",
    entity_id: "string",
    tenant_id: "string",
    subject: "string",
    body: "string",
    to: "string | null",
    placeholders: "string[]",
    sent: "false",
    note: "string",
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const tone = input.tone ?? "friendly";
    let draft: Draft;
    let tenantId: string;
    if (input.purpose === "quote_cover_note") {
      const q = await loadQuote(ctx.db, ctx.scope, input.entity_id, ctx.now);
      draft = draftQuoteCoverNote(q, ctx.principal.name, tone, input.contact_name ?? null);
      tenantId = q.tenant_id;
    } else {
      if (!input.entity_id.startsWith("fnd_"))
        throw new ToolError("finding_explainer needs a finding id (fnd_…); use aegis_list_findings to find it");
      const f = await loadFinding(ctx.db, ctx.scope, input.entity_id, ctx.now);
      draft = draftFindingExplainer(f, ctx.principal.name, tone, input.contact_name ?? null);
      tenantId = f.tenant_id;
    }
    return {
      purpose: input.purpose,
      entity_id: input.entity_id,
      tenant_id: tenantId,
      ...draft,
      sent: false as const,
      note: draft.placeholders.length
        ? `Draft only, nothing was sent. Fill in ${draft.placeholders.join(", ")} before sending.`
        : "Draft only, nothing was sent. Review it, then send it from your own mail client.",
    };
  },
});
