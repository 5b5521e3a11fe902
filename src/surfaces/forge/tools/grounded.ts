import { type } from "arktype";
import type { ToolContext } from "../../../mcp/define-tool";
import { ToolError } from "../../../mcp/define-tool";
import type { Addressee } from "../messages";
import { type ContactFacts, loadTenantContacts } from "../entities";
import { type FactSheet, samePerson } from "../facts";

/** Output shapes every grounded forge helper shares: the facts used and what the appliance does not hold. */
export const FactsOut = type({
  source_id: "string",
  field: "string",
  value: "string | number | boolean | null",
})
  .array()
  .describe("Every value the text was built from, with the id of the record it came from.");
export const MissingOut = type({ field: "string", reason: "string" })
  .array()
  .describe("Data the text would use but the appliance does not hold; nothing was invented in its place.");

/**
 * Who a draft goes to: the named contact when contact_name is given (it must be one of the record's tenant
 * contacts, so the greeting and the To line always name the same person), else the record's own contact,
 * else the tenant's primary contact, else nobody and a `missing` entry.
 */
export async function resolveAddressee(
  ctx: Pick<ToolContext, "db" | "scope">,
  record: { tenantId: string; tenantName: string; contact: ContactFacts | null },
  contactName: string | undefined,
  sheet: FactSheet,
): Promise<Addressee> {
  const contacts = await loadTenantContacts(ctx.db, ctx.scope, record.tenantId);
  if (contactName !== undefined) {
    const hit = contacts.find((c) => samePerson(c.name, contactName));
    if (hit) return hit;
    const known = contacts.map((c) => `${c.name}${c.title ? ` (${c.title})` : ""}`).join(", ");
    throw new ToolError(
      `contact_name "${contactName}" is not a contact of ${record.tenantName}; ${
        known ? `its contacts are ${known}. Pass one of those, or` : "it has no contacts on record;"
      } omit contact_name to use the record's own contact (cavalier_list_contacts lists them)`,
      { code: "unknown_contact" },
    );
  }
  const chosen = record.contact ?? contacts.find((c) => c.is_primary) ?? null;
  if (!chosen)
    sheet.lack(
      "contact",
      `${record.tenantName} has no contact on record; pass contact_name or add a contact in cavalier`,
    );
  return chosen;
}
