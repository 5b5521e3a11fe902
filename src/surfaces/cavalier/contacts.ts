import { and, asc, eq, or, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { contacts, type deals, type quotes } from "../../store/schema/cavalier";
import type { TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";
import { decodeCursor } from "../kit/cursor";
import { afterAsc, keysetPage, pageLimit, type Page } from "../kit/page";
import { resolveTenant } from "./catalog";
import { contains, type ContactRow, words } from "./model";

export async function listContacts(
  db: DbLike,
  scope: TenantScope,
  opts: { tenant?: string; query?: string; cursor?: string; limit?: number },
): Promise<Page<ContactRow>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.contacts", opts.cursor, ["string", "string"]);
  const conds: SQL[] = [scope.where(contacts.tenantId)];
  if (opts.tenant) conds.push(eq(contacts.tenantId, (await resolveTenant(db, scope, opts.tenant)).id));
  for (const w of words(opts.query))
    conds.push(or(contains(contacts.name, w), contains(contacts.email, w), contains(contacts.title, w))!);
  if (cursor) conds.push(afterAsc(contacts.name, contacts.id, cursor));
  const rows = await db
    .select()
    .from(contacts)
    .where(and(...conds))
    .orderBy(asc(contacts.name), asc(contacts.id))
    .limit(limit + 1);
  return keysetPage("cavalier.contacts", rows, limit, (r) => [r.name, r.id]);
}

export async function contactOfTenant(
  db: DbLike,
  scope: TenantScope,
  contactId: string,
  tenantId: string,
): Promise<ContactRow> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, contactId), scope.where(contacts.tenantId)))
    .limit(1);
  const contact = scope.admit(
    row ?? (await existsElsewhere(db, contacts, contactId)),
    "contact",
    contactId,
  ) as ContactRow;
  if (contact.tenantId !== tenantId)
    throw new CavalierError(
      "invalid_input",
      `contact ${contactId} belongs to another tenant than this quote/deal; pick one from cavalier_list_contacts`,
    );
  return contact;
}

/**
 * For a fetch by id that missed inside the scope: returns a stub carrying only the row's tenant, so
 * scope.admit can tell "belongs elsewhere" (CrossTenantError, audited) from "does not exist" (NotFoundError).
 */
export async function existsElsewhere(
  db: DbLike,
  table: typeof contacts | typeof deals | typeof quotes,
  id: string,
): Promise<{ tenantId: string } | undefined> {
  const [row] = await db.select({ tenantId: table.tenantId }).from(table).where(eq(table.id, id)).limit(1);
  return row;
}
