import type { AppContext } from "../context";
import { clientUsage, deleteClient, findGrantTenant, restoreClient } from "../oauth/admin-queries";
import { ApprovalError, approveClientForTenant, revokeGrant } from "../oauth/grants";
import { AdminError, NOT_FOUND_OR_NOT_PERMITTED } from "./errors";
import type { AdminPrincipal } from "./principal";

/** Where an admin action came from, for its audit row. */
export interface ActionOrigin {
  requestId: string;
  ip: string;
}

/** Records one admin action (kind "admin"). The row's tenant is the actor's home tenant; the target is in detail. */
export async function recordAdminAction(
  ctx: AppContext,
  principal: Pick<AdminPrincipal, "userId" | "tenantId" | "via"> | null,
  origin: ActionOrigin,
  action: string,
  outcome: string,
  extra: {
    grantId?: string;
    clientId?: string;
    surface?: string;
    userId?: string;
    tenantId?: string;
    detail?: Record<string, unknown>;
  } = {},
): Promise<string> {
  return ctx.audit.record({
    kind: "admin",
    action,
    outcome,
    requestId: origin.requestId,
    ip: origin.ip,
    userId: extra.userId ?? principal?.userId ?? null,
    tenantId: extra.tenantId ?? principal?.tenantId ?? null,
    grantId: extra.grantId ?? null,
    clientId: extra.clientId ?? null,
    surface: extra.surface ?? null,
    detail: { via: principal?.via ?? null, ...(extra.detail ?? {}) },
  });
}

/**
 * Revokes a connection (grant) the caller's scope covers. A grant of another tenant is refused exactly like a
 * missing one ("not found or not permitted"), and the attempt is audited as `denied_cross_tenant`.
 */
/** Returns true when this call revoked it, false when it was already revoked. */
export async function revokeConnection(
  ctx: AppContext,
  principal: AdminPrincipal,
  grantId: string,
  origin: ActionOrigin,
): Promise<boolean> {
  const grant = await findGrantTenant(ctx.store.db, grantId);
  if (!grant) {
    await recordAdminAction(ctx, principal, origin, "admin.connection.revoke", "not_found", {
      detail: { target_grant: grantId },
    });
    throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
  }
  if (!principal.scope.includes(grant.tenantId)) {
    await recordAdminAction(ctx, principal, origin, "admin.connection.revoke", "denied_cross_tenant", {
      detail: { target_grant: grantId, target_tenant: grant.tenantId },
    });
    throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
  }
  const revoked = await revokeGrant(ctx, grantId, {
    actor: "admin",
    userId: principal.userId,
    reason: "revoked_by_admin",
    requestId: origin.requestId,
    ip: origin.ip,
  });
  await recordAdminAction(ctx, principal, origin, "admin.connection.revoke", revoked ? "ok" : "already_revoked", {
    grantId,
    detail: { target_tenant: grant.tenantId },
  });
  return revoked;
}

/** Approves a client for a tenant in the caller's scope (OAuth's approveClientForTenant checks role and scope). */
export async function approveClient(
  ctx: AppContext,
  principal: AdminPrincipal,
  clientId: string,
  tenantId: string,
  origin: ActionOrigin,
): Promise<boolean> {
  try {
    const added = await approveClientForTenant(ctx, {
      clientId,
      tenantId,
      approver: { userId: principal.userId, role: principal.role, tenantId: principal.tenantId },
      scope: principal.scope,
      requestId: origin.requestId,
    });
    await recordAdminAction(ctx, principal, origin, "admin.client.approve", added ? "ok" : "already_approved", {
      clientId,
      detail: { target_tenant: tenantId },
    });
    return added;
  } catch (err) {
    if (!(err instanceof ApprovalError)) throw err;
    const outcome =
      err.code === "out_of_scope" ? "denied_cross_tenant" : err.code === "forbidden_role" ? "denied_role" : "not_found";
    await recordAdminAction(ctx, principal, origin, "admin.client.approve", outcome, {
      clientId,
      detail: { target_tenant: tenantId },
    });
    if (err.code === "forbidden_role") throw new AdminError("forbidden", err.message);
    throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
  }
}

/**
 * Deletes a client. Clients are shared by every tenant, and deleting a CIMD client blocks its URL appliance-wide
 * (src/oauth/cimd.ts), so: a platform admin may delete any client; anyone else only a registered (DCR) client attached
 * (approved or granted) to at least one tenant in their scope and used by no tenant outside it, never a CIMD client. A client attached to none of the
 * caller's tenants (including one nobody uses yet) reads as not found; one also used elsewhere is forbidden. Every
 * refusal is audited.
 */
export async function deleteClientAsAdmin(
  ctx: AppContext,
  principal: AdminPrincipal,
  clientId: string,
  origin: ActionOrigin,
): Promise<number> {
  const usage = await clientUsage(ctx.store.db, clientId);
  if (usage === null) {
    await recordAdminAction(ctx, principal, origin, "admin.client.delete", "not_found", {
      detail: { target_client: clientId },
    });
    throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
  }
  const using = usage.tenants;
  if (principal.role !== "platform_admin") {
    const inside = using.filter((t) => principal.scope.includes(t));
    const outside = using.filter((t) => !principal.scope.includes(t));
    if (inside.length === 0) {
      // Not attached to the caller's tenants: not theirs to see (listClientsInScope hides it), so it reads as not found.
      await recordAdminAction(
        ctx,
        principal,
        origin,
        "admin.client.delete",
        using.length === 0 ? "denied_unattached" : "denied_cross_tenant",
        {
          clientId,
          detail: { tenants_outside_scope: outside.length },
        },
      );
      throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
    }
    if (usage.source === "cimd") {
      // A metadata-document client (e.g. vscode.dev's) is one identity for the whole appliance and its deletion
      // blocks its URL for every tenant, so it is a platform admin's call; a tenant admin revokes its connections.
      await recordAdminAction(ctx, principal, origin, "admin.client.delete", "denied_role", {
        clientId,
        detail: { source: "cimd" },
      });
      throw new AdminError(
        "forbidden",
        "a metadata-document client is shared by the whole appliance; revoke its connections instead, or ask a platform admin to delete it",
      );
    }
    if (outside.length > 0) {
      await recordAdminAction(ctx, principal, origin, "admin.client.delete", "denied_cross_tenant", {
        clientId,
        detail: { tenants_outside_scope: outside.length },
      });
      throw new AdminError(
        "forbidden",
        "this client is also used by tenants outside your scope; ask a platform admin to delete it",
      );
    }
  }
  const revoked = await deleteClient(ctx, clientId, {
    actor: "admin",
    userId: principal.userId,
    reason: "client_deleted_by_admin",
    requestId: origin.requestId,
    ip: origin.ip,
  });
  await recordAdminAction(ctx, principal, origin, "admin.client.delete", revoked === null ? "not_found" : "ok", {
    clientId,
    detail: { grants_revoked: revoked ?? 0 },
  });
  if (revoked === null) throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
  return revoked;
}

/**
 * Restores a deleted client (platform admin only): a mistaken deletion of a shared CIMD client would otherwise block
 * it for every tenant for good. Its grants stay revoked and its approvals removed; refusals are audited.
 */
export async function restoreClientAsAdmin(
  ctx: AppContext,
  principal: AdminPrincipal,
  clientId: string,
  origin: ActionOrigin,
): Promise<void> {
  if (principal.role !== "platform_admin") {
    await recordAdminAction(ctx, principal, origin, "admin.client.restore", "denied_role", { clientId });
    throw new AdminError("forbidden", "only a platform admin may restore a deleted client");
  }
  const restored = await restoreClient(ctx.store.db, clientId);
  await recordAdminAction(ctx, principal, origin, "admin.client.restore", restored ? "ok" : "not_found", { clientId });
  if (!restored) throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
}
