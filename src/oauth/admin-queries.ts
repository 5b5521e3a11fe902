import { and, desc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { AppContext } from "../context";
import type { DbLike } from "../store/index";
import { oauthClientApprovals, oauthClients, oauthGrants } from "../store/schema/oauth";
import type { TenantScope } from "../tenancy/scope";
import { revokeGrant, type RevokedBy } from "./grants";

/**
 * What the admin console needs from OAuth state beyond grants.ts (listGrants, revokeGrant, approveClientForTenant):
 * owned by the admin feature, so the OAuth feature's files stay theirs. `"all"` is a platform admin's visibility.
 */
export type OAuthAdminVisibility = "all" | TenantScope;

/** A grant's tenant by id regardless of scope (null when absent): the caller admits it through its TenantScope. */
export async function findGrantTenant(
  db: DbLike,
  grantId: string,
): Promise<{ id: string; tenantId: string; revokedAt: number | null } | null> {
  const rows = await db
    .select({ id: oauthGrants.id, tenantId: oauthGrants.tenantId, revokedAt: oauthGrants.revokedAt })
    .from(oauthGrants)
    .where(eq(oauthGrants.id, grantId))
    .limit(1);
  return rows[0] ?? null;
}

export interface ClientListing {
  id: string;
  source: "dcr" | "cimd";
  name: string;
  redirectUris: string[];
  createdAt: number;
  lastUsedAt: number | null;
  /** Tenants (within the caller's visibility) the client is approved for. */
  approvedTenantIds: string[];
  /** Live grants within the caller's visibility. */
  liveGrants: number;
  /** Approvals or live grants OUTSIDE the caller's visibility: deleting the client would affect other tenants. */
  usedElsewhere: boolean;
}

/**
 * Clients not deleted, as `visibility` sees them: a platform admin sees all; others see only clients approved for or
 * granted in one of their tenants. A client attached to no tenant of the caller (including one nobody uses yet) is
 * shared appliance-wide (a CIMD client's deletion blocks its URL for every tenant), so it is a platform admin's alone.
 */
export async function listClientsInScope(db: DbLike, visibility: OAuthAdminVisibility): Promise<ClientListing[]> {
  const clients = await db
    .select()
    .from(oauthClients)
    .where(isNull(oauthClients.deletedAt))
    .orderBy(desc(oauthClients.createdAt))
    .limit(1000);
  if (clients.length === 0) return [];
  const ids = clients.map((c) => c.id);
  const approvals = await db.select().from(oauthClientApprovals).where(inArray(oauthClientApprovals.clientId, ids));
  const grants = await db
    .select({ clientId: oauthGrants.clientId, tenantId: oauthGrants.tenantId, n: sql<number>`count(*)` })
    .from(oauthGrants)
    .where(and(inArray(oauthGrants.clientId, ids), isNull(oauthGrants.revokedAt)))
    .groupBy(oauthGrants.clientId, oauthGrants.tenantId);
  const inScope = (tenantId: string) => visibility === "all" || visibility.includes(tenantId);
  const out: ClientListing[] = [];
  for (const c of clients) {
    const mine = approvals.filter((a) => a.clientId === c.id);
    const g = grants.filter((x) => x.clientId === c.id);
    const visibleApprovals = mine.filter((a) => inScope(a.tenantId)).map((a) => a.tenantId);
    const visibleGrants = g.filter((x) => inScope(x.tenantId)).reduce((s, x) => s + Number(x.n), 0);
    const usedElsewhere = mine.some((a) => !inScope(a.tenantId)) || g.some((x) => !inScope(x.tenantId));
    if (visibility !== "all" && visibleApprovals.length === 0 && visibleGrants === 0) continue;
    let redirectUris: string[] = [];
    try {
      redirectUris = JSON.parse(c.redirectUris) as string[];
    } catch {
      redirectUris = [];
    }
    out.push({
      id: c.id,
      source: c.source,
      name: c.name,
      redirectUris,
      createdAt: c.createdAt,
      lastUsedAt: c.lastUsedAt,
      approvedTenantIds: visibleApprovals,
      liveGrants: visibleGrants,
      usedElsewhere,
    });
  }
  return out;
}

export interface DeletedClientListing {
  id: string;
  source: "dcr" | "cimd";
  name: string;
  deletedAt: number;
}

/** Deleted clients, newest deletion first: what a platform admin may restore. No scope: callers check the role. */
export async function listDeletedClients(db: DbLike): Promise<DeletedClientListing[]> {
  const rows = await db
    .select({
      id: oauthClients.id,
      source: oauthClients.source,
      name: oauthClients.name,
      deletedAt: oauthClients.deletedAt,
    })
    .from(oauthClients)
    .where(isNotNull(oauthClients.deletedAt))
    .orderBy(desc(oauthClients.deletedAt))
    .limit(200);
  return rows.map((r) => ({ ...r, deletedAt: r.deletedAt ?? 0 }));
}

/**
 * Undoes a deletion: clears deleted_at so the client (and a CIMD URL) is accepted again. Grants revoked and approvals
 * removed by the deletion stay so: users reconnect and admins re-approve. Returns false when absent or not deleted.
 */
export async function restoreClient(db: DbLike, clientId: string): Promise<boolean> {
  const restored = await db
    .update(oauthClients)
    .set({ deletedAt: null })
    .where(and(eq(oauthClients.id, clientId), isNotNull(oauthClients.deletedAt)))
    .returning({ id: oauthClients.id });
  return restored.length > 0;
}

/** Tenants where a live client is approved or has live grants, or null when the client is absent or deleted. */
export async function tenantsUsingClient(db: DbLike, clientId: string): Promise<string[] | null> {
  return (await clientUsage(db, clientId))?.tenants ?? null;
}

/** A live client's source (dcr | cimd) and the tenants using it, or null when absent or deleted. */
export async function clientUsage(
  db: DbLike,
  clientId: string,
): Promise<{ source: "dcr" | "cimd"; tenants: string[] } | null> {
  const client = await db
    .select({ id: oauthClients.id, source: oauthClients.source })
    .from(oauthClients)
    .where(and(eq(oauthClients.id, clientId), isNull(oauthClients.deletedAt)))
    .limit(1);
  if (client.length === 0) return null;
  const a = await db
    .select({ t: oauthClientApprovals.tenantId })
    .from(oauthClientApprovals)
    .where(eq(oauthClientApprovals.clientId, clientId));
  const g = await db
    .selectDistinct({ t: oauthGrants.tenantId })
    .from(oauthGrants)
    .where(and(eq(oauthGrants.clientId, clientId), isNull(oauthGrants.revokedAt)));
  return { source: client[0]!.source, tenants: [...new Set([...a.map((x) => x.t), ...g.map((x) => x.t)])] };
}

/**
 * Deletes a client: marks it deleted (BearerVerifier refuses its tokens from the next request on), removes its
 * approvals and revokes its live grants through revokeGrant (one audit row each). Returns the number of grants
 * revoked, or null when the client was absent or already deleted. Does NOT check who may delete: the caller does.
 */
export async function deleteClient(ctx: AppContext, clientId: string, by: RevokedBy): Promise<number | null> {
  const now = ctx.clock();
  const deleted = await ctx.store.db
    .update(oauthClients)
    .set({ deletedAt: now })
    .where(and(eq(oauthClients.id, clientId), isNull(oauthClients.deletedAt)))
    .returning({ id: oauthClients.id });
  if (deleted.length === 0) return null;
  await ctx.store.db.delete(oauthClientApprovals).where(eq(oauthClientApprovals.clientId, clientId));
  const live = await ctx.store.db
    .select({ id: oauthGrants.id })
    .from(oauthGrants)
    .where(and(eq(oauthGrants.clientId, clientId), isNull(oauthGrants.revokedAt)));
  let n = 0;
  for (const g of live) if (await revokeGrant(ctx, g.id, by)) n++;
  return n;
}
