import type { AppContext } from "../context";
import { recordAdminAction, type ActionOrigin } from "./actions";
import { AdminError, NOT_FOUND_OR_NOT_PERMITTED } from "./errors";
import type { AdminPrincipal } from "./principal";

/**
 * A tenant the caller named (a filter): admitted when their scope covers it (a platform admin: any tenant).
 * Otherwise refused exactly like an unknown tenant, and the attempt is audited as `denied_cross_tenant`.
 */
export async function admitNamedTenant(
  ctx: AppContext,
  principal: AdminPrincipal,
  tenantId: string | undefined,
  origin: ActionOrigin,
  what: string,
): Promise<void> {
  if (!tenantId || principal.role === "platform_admin" || principal.scope.includes(tenantId)) return;
  await recordAdminAction(ctx, principal, origin, `admin.${what}`, "denied_cross_tenant", {
    detail: { target_tenant: tenantId },
  });
  throw new AdminError("not_found", NOT_FOUND_OR_NOT_PERMITTED);
}
