import { tenants } from "../store/schema/tenancy";
import type { DbLike } from "../store/index";
import { allowedTenantIds, TenantScope, type Principal } from "../tenancy/scope";

/**
 * The tenant scope of one call, from the token's user (never from arguments), over the current tenants
 * table: a tenant disabled or re-parented since the token was issued is out of scope on the very next call.
 * One small indexed read per call (the table holds tens of rows).
 */
export async function loadTenantScope(db: DbLike, principal: Principal): Promise<TenantScope> {
  const rows = await db
    .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
    .from(tenants);
  return new TenantScope(principal, allowedTenantIds(principal, rows));
}
