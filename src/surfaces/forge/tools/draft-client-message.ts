import { type } from "arktype";
import { ToolError } from "../../../mcp/define-tool";
import { type Draft, draftFindingExplainer, draftQuoteCoverNote } from "../messages";
import { loadFinding, loadQuote } from "../entities";
import { FactSheet } from "../facts";
import { FactsOut, MissingOut, resolveAddressee } from "./grounded";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";

export const draftClientMessageTool = surfaceTool({
  name: "forge_draft_client_message",
  title: "Draft client message",
  action: "forge.draft_client_message",
  description:
    "Use this when a technician wants wording for a customer email: a cover note for a quote (each " +
    "line with its line total; subtotal, tax and total for one-time and recurring amounts " +
    "separately, tax stated as added on top; first invoice total; validity, all taken from the " +
    "quote's own pricing) or a plain-language explainer of a security finding (using the finding's " +
    "own numbers, e.g. 14 of 42 users). The mail is addressed to one contact of the record's tenant: " +
    "contact_name if given (it must be one of that tenant's contacts), else the quote's contact, " +
    "else the tenant's primary contact; the greeting uses honorific and surname when the name has " +
    "one (Dr. Chen), else the first name. Returns subject, body, to, the facts used (with source " +
    "ids) and a missing list, for a human to review and send; it never sends anything.",
  input: type({
    purpose: type("'quote_cover_note' | 'finding_explainer'").describe(
      "quote_cover_note (needs a quote id q_…) or finding_explainer (needs a finding id fnd_…).",
    ),
    entity_id: type("0 < string <= 128").describe("The quote id (q_…) or finding id (fnd_…) the message is about."),
    "contact_name?": type("1 <= string <= 120").describe(
      "Who it is addressed to, one of the tenant's contacts (e.g. Rachel Kim; cavalier_list_contacts " +
        "lists them). Default: the quote's contact, else the tenant's primary contact.",
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
    contact_id: "string | null",
    facts: FactsOut,
    missing: MissingOut,
    sent: "false",
    note: "string",
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const tone = input.tone ?? "friendly";
    const sheet = new FactSheet();
    let draft: Draft;
    let tenantId: string;
    if (input.purpose === "quote_cover_note") {
      const q = await loadQuote(ctx.db, ctx.scope, input.entity_id, ctx.now);
      const to = await resolveAddressee(
        ctx,
        { tenantId: q.tenant_id, tenantName: q.tenant_name, contact: q.contact },
        input.contact_name,
        sheet,
      );
      draft = draftQuoteCoverNote(q, ctx.principal.name, tone, to, sheet);
      tenantId = q.tenant_id;
    } else {
      if (!input.entity_id.startsWith("fnd_"))
        throw new ToolError("finding_explainer needs a finding id (fnd_…); use aegis_list_findings to find it");
      const f = await loadFinding(ctx.db, ctx.scope, input.entity_id, ctx.now);
      const to = await resolveAddressee(
        ctx,
        { tenantId: f.tenant_id, tenantName: f.tenant_name, contact: null },
        input.contact_name,
        sheet,
      );
      draft = draftFindingExplainer(f, ctx.principal.name, tone, to, sheet);
      tenantId = f.tenant_id;
    }
    return {
      purpose: input.purpose,
      entity_id: input.entity_id,
      tenant_id: tenantId,
      ...draft,
      facts: sheet.facts,
      missing: sheet.missing,
      sent: false as const,
      note: draft.to
        ? "Draft only, nothing was sent. Review it, then send it from your own mail client."
        : "Draft only, nothing was sent. No contact is on record to address it to (see missing).",
    };
  },
});
