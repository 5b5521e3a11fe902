import { inArray, sql } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { contacts } from "../../store/schema/cavalier";
import type { ImportPlan } from "../kind";

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

/** Rows per INSERT statement (8 columns). */
const CHUNK = 500;

/**
 * Compares imported contacts with the stored ones of their tenants and returns the writes. A contact matches on
 * (tenant, email), the email compared case-insensitively (RFC 5321 §2.4 leaves the local part's case to the
 * receiving host; in practice, and in every CRM, it does not tell people apart). Contacts absent from the file
 * are left alone.
 */
export async function planContactUpsert(
  db: DbLike,
  entries: readonly ContactEntry[],
  records: number,
  now: number,
): Promise<ImportPlan> {
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
  return {
    records,
    counts,
    tenantIds,
    notes: [],
    empty: writes.length === 0,
    async write(tx) {
      for (let i = 0; i < writes.length; i += CHUNK)
        await tx
          .insert(contacts)
          .values(writes.slice(i, i + CHUNK))
          .onConflictDoUpdate({
            target: contacts.id,
            set: {
              name: sql`excluded.name`,
              email: sql`excluded.email`,
              title: sql`excluded.title`,
              phone: sql`excluded.phone`,
              isPrimary: sql`excluded.is_primary`,
            },
          });
    },
  };
}
