import { inArray } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { oauthClients } from "../store/schema/oauth";
import { tenants, users } from "../store/schema/tenancy";
import type { AdminPrincipal } from "./principal";

export interface TenantInfo {
  id: string;
  name: string;
  kind: "msp" | "client" | "individual";
  parentId: string | null;
  currency: string;
  region: string;
  taxRateBps: number;
  disabled: boolean;
}

export interface UserInfo {
  id: string;
  email: string;
  name: string;
  tenantId: string;
  role: string;
  disabled: boolean;
}

/** Tenants and users the principal's scope covers (a platform admin: all, including disabled ones). */
export interface Directory {
  tenants: TenantInfo[];
  users: UserInfo[];
  tenantName(id: string | null): string | null;
  userLabel(id: string | null): string | null;
}

export async function loadDirectory(db: DbLike, principal: AdminPrincipal): Promise<Directory> {
  const all = await db.select().from(tenants);
  const allUsers = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      tenantId: users.tenantId,
      role: users.role,
      disabled: users.disabled,
    })
    .from(users);
  const seeAll = principal.role === "platform_admin";
  const visibleTenants = all
    .filter((t) => seeAll || principal.scope.includes(t.id))
    .sort((a, b) => a.name.localeCompare(b.name));
  const ids = new Set(visibleTenants.map((t) => t.id));
  const visibleUsers = allUsers.filter((u) => ids.has(u.tenantId)).sort((a, b) => a.email.localeCompare(b.email));
  // Names are shown for ids that appear in rows the caller may already see (e.g. the actor of an admin row).
  const tenantNames = new Map(all.map((t) => [t.id, t.name]));
  const userEmails = new Map(allUsers.map((u) => [u.id, u.email]));
  return {
    tenants: visibleTenants.map((t) => ({
      id: t.id,
      name: t.name,
      kind: t.kind,
      parentId: t.parentId,
      currency: t.currency,
      region: t.region,
      taxRateBps: t.taxRateBps,
      disabled: t.disabled,
    })),
    users: visibleUsers,
    tenantName: (id) => (id ? (tenantNames.get(id) ?? null) : null),
    userLabel: (id) => (id ? (userEmails.get(id) ?? null) : null),
  };
}

/** Client display names for a set of client ids. */
export async function clientNames(db: DbLike, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: oauthClients.id, name: oauthClients.name })
    .from(oauthClients)
    .where(inArray(oauthClients.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}
