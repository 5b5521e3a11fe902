import { type } from "arktype";
import { ArchiveResultOut, archivePlanWire, archiveResultWire } from "../wire";
import { ARCHIVE_CONSEQUENCES, archiveDocument, planArchive } from "../archive";
import { actorOf, surfaceTool } from "../../kit/tool";
import { Identifier } from "../../../shared/string-types";

const Input = type({
  document_id: Identifier.describe(
    "The article (kb_…) or runbook (rb_…) to archive, as returned by forge_search_knowledge.",
  ),
  reason: type("3 <= string <= 500").describe(
    "Why it is retired, kept with the document and in its history, e.g. 'replaced by rb_offboarding_v2' or 'vendor portal no longer exists'.",
  ),
});

function toInput(input: typeof Input.infer) {
  return { documentId: input.document_id, reason: input.reason };
}

/**
 * The forge surface's destructive tool: retiring a document hides it from every assistant's search and
 * from the client's users, which is why it goes through the confirmation round-trip even though it deletes
 * nothing and is reversible.
 */
export const archiveDocumentTool = surfaceTool({
  name: "forge_archive_document",
  title: "Archive document",
  action: "forge.archive_document",
  description:
    "Use this when a runbook or knowledge-base article is obsolete or wrong and should stop being " +
    "found: archives it so forge_search_knowledge no longer returns it and client-tenant users can " +
    "no longer open it. " +
    "MSP staff only. The version history is kept and MSP staff can still read it; saving a new " +
    "version (forge_save_article / forge_save_runbook) un-archives it. Destructive, so it asks for " +
    "confirmation first.",
  input: Input,
  output: ArchiveResultOut,
  scope: "forge:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  preview: async (input, ctx) => {
    const { plan } = await planArchive(ctx.db, ctx.scope, toInput(input));
    const d = plan.document;
    const what = `${d.kind} "${d.title}" (${d.id}, tenant ${d.tenantName} [${d.tenantId}], version ${d.version}, visibility ${d.visibility})`;
    const summary = plan.alreadyArchived
      ? `The ${what} is already archived (${plan.alreadyArchived.at.slice(0, 10)}, by ` +
        `${plan.alreadyArchived.by}: "${plan.alreadyArchived.reason}"); confirming changes nothing.`
      : `Archive the ${what} because: "${plan.reason}". ${ARCHIVE_CONSEQUENCES.join(" ")}`;
    return { summary, proposal: archivePlanWire(plan) };
  },
  handler: async (input, ctx) =>
    archiveResultWire(await archiveDocument(ctx.db, ctx.scope, actorOf(ctx), toInput(input), ctx.now)),
});
