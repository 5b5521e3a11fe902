import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { SurfaceName } from "../config/schema";
import type { AppContext } from "../context";
import { mayApproveClients, type Principal, type TenantScope } from "../tenancy/scope";
import type { DbLike } from "../store/index";
import { tenants, users } from "../store/schema/tenancy";
import { oauthClientApprovals, oauthClients, oauthGrants, oauthRefreshTokens } from "../store/schema/oauth";
import { splitScopes } from "./scopes";

/** Who revoked a grant, for the audit row. */
export interface RevokedBy {
  actor: "user" | "client" | "admin" | "system";
  userId?: string | null;
  reason: string;
  requestId?: string | null;
  ip?: string | null;
}

/**
 * Revokes a grant: every access token carrying its id fails the very next live check (BearerVerifier), and its
 * refresh tokens are retired. Idempotent; returns true when this call revoked it. Writes an audit row.
 * Does NOT check who may revoke: callers (admin page, revocation endpoint) check that first.
 */
export async function revokeGrant(ctx: AppContext, grantId: string, by: RevokedBy): Promise<boolean> {
  const now = ctx.clock();
  const revoked = await ctx.store.db.transaction(async (tx) => {
    const rows = await tx
      .update(oauthGrants)
      .set({ revokedAt: now, revokedReason: by.reason })
      .where(and(eq(oauthGrants.id, grantId), isNull(oauthGrants.revokedAt)))
      .returning({
        userId: oauthGrants.userId,
        tenantId: oauthGrants.tenantId,
        clientId: oauthGrants.clientId,
        surface: oauthGrants.surface,
      });
    await tx
      .update(oauthRefreshTokens)
      .set({ retiredAt: now })
      .where(and(eq(oauthRefreshTokens.grantId, grantId), isNull(oauthRefreshTokens.retiredAt)));
    return rows[0] ?? null;
  });
  if (!revoked) return false;
  await ctx.audit.record({
    kind: "oauth",
    action: "oauth.grant.revoke",
    outcome: "ok",
    requestId: by.requestId ?? null,
    ip: by.ip ?? null,
    surface: revoked.surface,
    userId: revoked.userId,
    tenantId: revoked.tenantId,
    clientId: revoked.clientId,
    grantId,
    detail: { actor: by.actor, by_user: by.userId ?? null, reason: by.reason },
  });
  return true;
}

export interface GrantSummary {
  id: string;
  userId: string;
  userEmail: string;
  userName: string;
  tenantId: string;
  clientId: string;
  clientName: string;
  clientSource: "dcr" | "cimd";
  surface: SurfaceName;
  resource: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokedReason: string | null;
}

/** Grants (connections) in the caller's tenant scope, newest first. Revoked ones are included unless asked not to. */
export async function listGrants(
  db: DbLike,
  scope: TenantScope,
  opts: { includeRevoked?: boolean; limit?: number; userId?: string; grantId?: string } = {},
): Promise<GrantSummary[]> {
  const conditions = [scope.where(oauthGrants.tenantId)];
  if (opts.grantId) conditions.push(eq(oauthGrants.id, opts.grantId));
  if (opts.includeRevoked === false) conditions.push(isNull(oauthGrants.revokedAt));
  if (opts.userId) conditions.push(eq(oauthGrants.userId, opts.userId));
  const rows = await db
    .select({
      g: oauthGrants,
      userEmail: users.email,
      userName: users.name,
      clientName: oauthClients.name,
      clientSource: oauthClients.source,
    })
    .from(oauthGrants)
    .innerJoin(users, eq(users.id, oauthGrants.userId))
    .innerJoin(oauthClients, eq(oauthClients.id, oauthGrants.clientId))
    .where(and(...conditions))
    .orderBy(desc(oauthGrants.createdAt))
    .limit(Math.min(opts.limit ?? 200, 1000));
  return rows.map((r) => ({
    id: r.g.id,
    userId: r.g.userId,
    userEmail: r.userEmail,
    userName: r.userName,
    tenantId: r.g.tenantId,
    clientId: r.g.clientId,
    clientName: r.clientName,
    clientSource: r.clientSource,
    surface: r.g.surface,
    resource: r.g.resource,
    scopes: splitScopes(r.g.scopes),
    createdAt: r.g.createdAt,
    lastUsedAt: r.g.lastUsedAt,
    revokedAt: r.g.revokedAt,
    revokedReason: r.g.revokedReason,
  }));
}

/** One grant in scope, or null (absent and out-of-scope look the same). */
export async function findGrant(db: DbLike, scope: TenantScope, grantId: string): Promise<GrantSummary | null> {
  return (await listGrants(db, scope, { grantId, limit: 1 }))[0] ?? null;
}

export async function isClientApprovedForTenant(db: DbLike, clientId: string, tenantId: string): Promise<boolean> {
  const [row] = await db
    .select({ c: oauthClientApprovals.clientId })
    .from(oauthClientApprovals)
    .where(and(eq(oauthClientApprovals.clientId, clientId), eq(oauthClientApprovals.tenantId, tenantId)))
    .limit(1);
  return row !== undefined;
}

export class ApprovalError extends Error {
  constructor(
    readonly code: "forbidden_role" | "unknown_client" | "out_of_scope",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Approves a client for a tenant, so technicians of that tenant may consent to it (seed: "Permission to create
 * OAuth clients"). The approver needs a role that may approve clients and the tenant in their scope.
 * Idempotent; returns true when a new approval was recorded. Used by the consent page and the admin page.
 */
export async function approveClientForTenant(
  ctx: AppContext,
  input: { clientId: string; tenantId: string; approver: Principal; scope: TenantScope; requestId?: string | null },
): Promise<boolean> {
  if (!mayApproveClients(input.approver.role))
    throw new ApprovalError("forbidden_role", "your role may not approve OAuth clients");
  if (!input.scope.includes(input.tenantId)) throw new ApprovalError("out_of_scope", "not found or not permitted");
  const [client] = await ctx.store.db
    .select({ id: oauthClients.id })
    .from(oauthClients)
    .where(and(eq(oauthClients.id, input.clientId), isNull(oauthClients.deletedAt)))
    .limit(1);
  if (!client) throw new ApprovalError("unknown_client", "not found or not permitted");
  const inserted = await ctx.store.db
    .insert(oauthClientApprovals)
    .values({
      clientId: input.clientId,
      tenantId: input.tenantId,
      approvedBy: input.approver.userId,
      approvedAt: ctx.clock(),
    })
    .onConflictDoNothing()
    .returning({ c: oauthClientApprovals.clientId });
  if (inserted.length === 0) return false;
  await ctx.audit.record({
    kind: "oauth",
    action: "oauth.client.approve",
    outcome: "ok",
    requestId: input.requestId ?? null,
    userId: input.approver.userId,
    tenantId: input.tenantId,
    clientId: input.clientId,
  });
  return true;
}

export interface ClientSummary {
  id: string;
  name: string;
  source: "dcr" | "cimd";
  redirectUris: string[];
  createdAt: number;
  lastUsedAt: number | null;
  /** Tenants (within the caller's scope) for which the client is approved. */
  approvedTenantIds: string[];
}

/** Registered clients with their approvals inside `scope` (clients are global; approvals are per tenant). */
export async function listClients(
  db: DbLike,
  scope: TenantScope,
  opts: { limit?: number } = {},
): Promise<ClientSummary[]> {
  const rows = await db
    .select()
    .from(oauthClients)
    .where(isNull(oauthClients.deletedAt))
    .orderBy(desc(oauthClients.createdAt))
    .limit(Math.min(opts.limit ?? 200, 1000));
  if (rows.length === 0) return [];
  const approvals = await db
    .select()
    .from(oauthClientApprovals)
    .where(
      and(
        inArray(
          oauthClientApprovals.clientId,
          rows.map((r) => r.id),
        ),
        scope.where(oauthClientApprovals.tenantId),
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    source: r.source,
    redirectUris: JSON.parse(r.redirectUris) as string[],
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    approvedTenantIds: approvals.filter((a) => a.clientId === r.id).map((a) => a.tenantId),
  }));
}

/**
 * At start: revoke live grants whose user or tenant is disabled (config sync disables users removed from the
 * config), so the admin page shows them revoked. BearerVerifier refuses them anyway; this makes it visible.
 */
export async function revokeGrantsOfDisabledPrincipals(ctx: AppContext): Promise<number> {
  const rows = await ctx.store.db
    .select({ id: oauthGrants.id })
    .from(oauthGrants)
    .innerJoin(users, eq(users.id, oauthGrants.userId))
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .where(
      and(
        isNull(oauthGrants.revokedAt),
        or(eq(users.disabled, true), eq(tenants.disabled, true), sql`${users.tenantId} <> ${oauthGrants.tenantId}`),
      ),
    );
  let n = 0;
  for (const r of rows) if (await revokeGrant(ctx, r.id, { actor: "system", reason: "user_or_tenant_disabled" })) n++;
  return n;
}
