import { and, asc, eq } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { tenants } from "../../store/schema/tenancy";
import type { TenantScope } from "../../tenancy/scope";
import { resolveTenant as resolveNamedTenant } from "../kit/tenant";
import { AegisError } from "./errors";

/**
 * aegis data access: every function takes the caller's TenantScope, and every query on a tenant table either
 * filters with `scope.where(<table>.tenantId)` or admits the fetched row with `scope.admit`, so a row of another
 * tenant is indistinguishable from a missing one ("not found or not permitted").
 */

export interface TenantSummary {
  id: string;
  name: string;
  kind: string;
}

export async function listScopeTenants(db: DbLike, scope: TenantScope): Promise<TenantSummary[]> {
  return await db
    .select({ id: tenants.id, name: tenants.name, kind: tenants.kind })
    .from(tenants)
    .where(and(scope.where(tenants.id), eq(tenants.disabled, false)))
    .orderBy(asc(tenants.name));
}

/**
 * The tenant a per-tenant tool works on. Named (id or name, case-insensitive): the one resolver of every surface.
 * Omitted: the caller's only non-MSP tenant, otherwise a `tenant_required` error listing the choices (the model
 * can pick one and retry).
 */
export async function resolveTenant(
  db: DbLike,
  scope: TenantScope,
  tenantId: string | undefined,
): Promise<TenantSummary> {
  if (tenantId !== undefined) {
    const { id, name, kind } = await resolveNamedTenant(db, scope, tenantId);
    return { id, name, kind };
  }
  const inScope = await listScopeTenants(db, scope);
  const clients = inScope.filter((t) => t.kind !== "msp");
  const only = clients.length === 1 ? clients[0] : inScope.length === 1 ? inScope[0] : undefined;
  if (only) return only;
  throw new AegisError(
    "tenant_required",
    `tenant_id is required: you may act on ${inScope.map((t) => `${t.id} (${t.name})`).join(", ") || "no tenants"}`,
  );
}
