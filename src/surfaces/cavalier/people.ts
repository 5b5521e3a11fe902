import { and, inArray } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { contacts } from "../../store/schema/cavalier";
import { users } from "../../store/schema/tenancy";
import type { TenantScope } from "../../tenancy/scope";

/** A person as results show one: the name people read, and the id to pass back to a tool. */
export interface PersonRef {
  id: string;
  name: string;
}

/** Who a deal involves: the MSP user who owns it and the customer's contact for it. */
export interface DealPeople {
  owner: PersonRef | null;
  primaryContact: PersonRef | null;
}

/**
 * Names of the people behind ids held by rows already read through the caller's scope. Contacts are read through
 * the scope too; a deal's owner is the MSP user who opened it, named on a deal the caller may already see. An id
 * whose row is gone keeps the id as its name, so nothing is dropped.
 */
export async function peopleNames(
  db: DbLike,
  scope: TenantScope,
  ids: { users?: readonly (string | null)[]; contacts?: readonly (string | null)[] },
): Promise<(id: string | null) => PersonRef | null> {
  const userIds = [...new Set((ids.users ?? []).filter((x): x is string => x !== null))];
  const contactIds = [...new Set((ids.contacts ?? []).filter((x): x is string => x !== null))];
  const names = new Map<string, string>();
  if (userIds.length > 0)
    for (const u of await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds)))
      names.set(u.id, u.name);
  if (contactIds.length > 0)
    for (const c of await db
      .select({ id: contacts.id, name: contacts.name })
      .from(contacts)
      .where(and(scope.where(contacts.tenantId), inArray(contacts.id, contactIds))))
      names.set(c.id, c.name);
  return (id) => (id === null ? null : { id, name: names.get(id) ?? id });
}

/** The owner and contact of each deal, by deal id. */
export async function dealPeople(
  db: DbLike,
  scope: TenantScope,
  deals: readonly { id: string; ownerUserId: string | null; primaryContactId: string | null }[],
): Promise<Map<string, DealPeople>> {
  const person = await peopleNames(db, scope, {
    users: deals.map((d) => d.ownerUserId),
    contacts: deals.map((d) => d.primaryContactId),
  });
  return new Map(
    deals.map((d) => [d.id, { owner: person(d.ownerUserId), primaryContact: person(d.primaryContactId) }]),
  );
}
