import { tenants } from "../store/schema/tenancy";
import type { DbLike } from "../store/index";
import { matchTenants } from "../tenancy/resolve";
import { allowedTenantIds, TenantScope, type Principal, type TenantRecord } from "../tenancy/scope";

/** How long the tenant list is reused between reads (tenants change only when a process syncs its config). */
export const TENANT_CACHE_MS = 1000;

/**
 * The tenant scope of one call, from the token's user (never from arguments), over the tenants table.
 * The table (tens of rows) is read at most once per TENANT_CACHE_MS per process: reading it costs ~100 µs of
 * JavaScript-thread time per call, and it only changes when a process syncs its config at start. The user's
 * own tenant being disabled is checked on every request by the bearer verifier's live-grant query.
 */
type DirectoryRow = TenantRecord & { name: string };

export class TenantDirectory {
  private cached: { at: number; rows: DirectoryRow[] } | null = null;
  private loading: Promise<DirectoryRow[]> | null = null;

  constructor(
    private readonly db: DbLike,
    private readonly ttlMs = TENANT_CACHE_MS,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  async scopeFor(principal: Principal): Promise<TenantScope> {
    return new TenantScope(principal, allowedTenantIds(principal, await this.rows()));
  }

  /**
   * The tenant id a `tenant_id` argument names, for the audit row and the confirmation binding, by the same rule
   * the tools resolve it with (matchTenants, src/tenancy/resolve.ts). Unknown values come back unchanged.
   */
  async resolve(value: string): Promise<string> {
    return matchTenants(value, await this.rows())[0]?.id ?? value;
  }

  private async rows(): Promise<DirectoryRow[]> {
    const t = this.monotonic();
    if (this.cached && t - this.cached.at < this.ttlMs) return this.cached.rows;
    this.loading ??= this.db
      .select({
        id: tenants.id,
        name: tenants.name,
        kind: tenants.kind,
        parentId: tenants.parentId,
        disabled: tenants.disabled,
      })
      .from(tenants)
      .then((rows) => {
        this.cached = { at: t, rows };
        return rows;
      })
      .finally(() => {
        this.loading = null;
      });
    return await this.loading;
  }
}

/** The tenant scope of a principal over the current tenants table, read now (services, tests, admin). */
export async function loadTenantScope(db: DbLike, principal: Principal): Promise<TenantScope> {
  const rows = await db
    .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
    .from(tenants);
  return new TenantScope(principal, allowedTenantIds(principal, rows));
}
