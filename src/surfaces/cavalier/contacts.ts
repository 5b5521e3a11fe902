import { and, asc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { contacts, type deals, type quotes } from "../../store/schema/cavalier";
import type { TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";
import { decodeCursor } from "../kit/cursor";
import { afterAsc, keysetPage, pageLimit, type Page } from "../kit/page";
import { resolveTenant } from "./catalog";
import { contains, type ContactRow, type UpsertPlan, words } from "./model";

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

// Contact upserts (imports)

export interface ContactEntry {
  line: number;
  tenantId: string;
  name: string;
  email: string;
  title: string;
  phone: string;
  isPrimary: boolean;
}

type ContactInsert = typeof contacts.$inferInsert;

/** Rows per upsert statement (one JSON parameter each). */
const UPSERT_CHUNK = 5000;

/**
 * Compares imported contacts with the stored ones of their tenants and returns the writes. A contact matches on
 * (tenant, email), the email compared case-insensitively (RFC 5321 §2.4 leaves the local part's case to the
 * receiving host; in practice, and in every CRM, it does not tell people apart). Contacts absent from the file
 * are left alone.
 */
export async function planContactUpsert(
  db: DbLike,
  entries: readonly ContactEntry[],
  now: number,
): Promise<UpsertPlan> {
  const tenantIds = [...new Set(entries.map((e) => e.tenantId))];
  const stored = tenantIds.length
    ? await db
        .select()
        .from(contacts)
        .where(inArray(contacts.tenantId, tenantIds))
        .orderBy(contacts.createdAt, contacts.id)
    : [];
  const byKey = new Map<string, (typeof stored)[number]>();
  for (const c of stored) {
    const key = `${c.tenantId}\u0000${c.email.toLowerCase()}`;
    if (!byKey.has(key)) byKey.set(key, c);
  }
  const writes: ContactInsert[] = [];
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  for (const e of entries) {
    const s = byKey.get(`${e.tenantId}\u0000${e.email.toLowerCase()}`);
    const changed =
      !s ||
      s.name !== e.name ||
      s.email !== e.email ||
      s.title !== e.title ||
      s.phone !== e.phone ||
      s.isPrimary !== e.isPrimary;
    if (!s) counts.inserted++;
    else if (changed) counts.updated++;
    else counts.unchanged++;
    if (changed)
      writes.push({
        id: s?.id ?? newId("ct"),
        tenantId: e.tenantId,
        name: e.name,
        email: e.email,
        title: e.title,
        phone: e.phone,
        isPrimary: e.isPrimary,
        createdAt: s?.createdAt ?? now,
      });
  }
  writes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    counts,
    empty: writes.length === 0,
    async write(tx) {
      // As the catalog upsert (catalog.ts planCatalogUpsert): one JSON parameter per statement, rows in id order.
      for (let i = 0; i < writes.length; i += UPSERT_CHUNK)
        await tx.run(sql`INSERT INTO ${contacts} (id, tenant_id, name, email, title, phone, is_primary, created_at)
          SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
            j.value ->> 6, j.value ->> 7
          FROM json_each(${JSON.stringify(
            writes
              .slice(i, i + UPSERT_CHUNK)
              .map((w) => [w.id, w.tenantId, w.name, w.email, w.title, w.phone, w.isPrimary ? 1 : 0, w.createdAt]),
          )}) AS j
          WHERE true
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, title = excluded.title,
            phone = excluded.phone, is_primary = excluded.is_primary`);
    },
  };
}
