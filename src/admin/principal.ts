import { eq } from "drizzle-orm";
import type { AuditVisibility } from "../audit/query";
import type { Role } from "../config/schema";
import type { DbLike } from "../store/index";
import { tenants, users } from "../store/schema/tenancy";
import { allowedTenantIds, TenantScope } from "../tenancy/scope";
import { mayUseAdminConsole } from "./sign-in";

/** Who is acting on the admin console, and over which tenants. */
export interface AdminPrincipal {
  userId: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string;
  /** allowedTenantIds of the user (src/tenancy/scope.ts): the only statement of what they may see. */
  scope: TenantScope;
  /** Audit rows they may read: a platform admin reads all rows, including ones without a tenant. */
  auditVisibility: AuditVisibility;
  /** How the request authenticated. */
  via: "session" | "api_token";
}

/**
 * Loads the acting user fresh on every request, so a user disabled or demoted in the config loses the console
 * at the next request rather than when their session expires. Null when the user may not use the console now.
 */
export async function loadAdminPrincipal(
  db: DbLike,
  userId: string,
  via: AdminPrincipal["via"],
): Promise<AdminPrincipal | null> {
  const user = (await db.select().from(users).where(eq(users.id, userId)).limit(1))[0];
  if (!user || user.disabled || !mayUseAdminConsole(user.role)) return null;
  const all = await db
    .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
    .from(tenants);
  const principal = { userId: user.id, role: user.role, tenantId: user.tenantId };
  const scope = new TenantScope(principal, allowedTenantIds(principal, all));
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    tenantId: user.tenantId,
    scope,
    auditVisibility: user.role === "platform_admin" ? "all" : scope,
    via,
  };
}
