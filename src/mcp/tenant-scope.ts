import { tenants } from "../store/schema/tenancy";
import type { ChangeSignal } from "../store/change-signal";
import type { DbLike } from "../store/index";
import { matchTenants } from "../tenancy/resolve";
import { allowedTenantIds, TenantScope, type Principal, type TenantTableRow } from "../tenancy/scope";

/** Without a change signal (a libSQL server URL), how long the tenant list is reused between reads. */
export const TENANT_CACHE_MS = 1000;

/**
 * The tenant scope of one call, from the token's user (never from arguments), over the tenants table.
 * The table (tens of rows) is read again only when the database may have changed: on an embedded file, while
 * SQLite's `PRAGMA data_version` (src/store/change-signal.ts, read at most once per event-loop turn) has not moved
 * since the read, the rows are reused, so a tenant disabled or moved by any process is out of scope from the very
 * next call. Every tool call commits its audit row, so under load the table is read about once per audit group
 * rather than once per call (it cost ~100 µs of JavaScript-thread time per call). A libSQL server has no such
 * signal: there the rows are reused for TENANT_CACHE_MS. The user's own tenant being disabled is checked on every
 * request by the bearer verifier's live-grant query either way.
 */
export class TenantDirectory {
  private cached: { at: number; version: number | null; rows: TenantTableRow[] } | null = null;
  private loading: { version: number | null; promise: Promise<TenantTableRow[]> } | null = null;

  constructor(
    private readonly db: DbLike,
    private readonly ttlMs = TENANT_CACHE_MS,
    private readonly monotonic: () => number = () => performance.now(),
    /** The store's change signal (`Store.changeSignal`); absent or null, the TTL applies. */
    private readonly changes?: () => Promise<ChangeSignal | null>,
  ) {}

  /**
   * On an embedded file the scope carries the rows it was computed from: they are current as of this event-loop
   * turn's data version, so a tool resolving the tenant it names (src/tenancy/resolve.ts) matches against them and
   * reads only that one tenant again (in the write's own transaction for a write) instead of the whole table. With
   * the TTL (a libSQL server) resolution reads the table, as before.
   */
  async scopeFor(principal: Principal): Promise<TenantScope> {
    const { rows, current } = await this.read();
    return new TenantScope(principal, allowedTenantIds(principal, rows), current ? rows : undefined);
  }

  /**
   * The tenant id a `tenant_id` argument names, for the audit row and the confirmation binding, by the same rule
   * the tools resolve it with (matchTenants, src/tenancy/resolve.ts). Unknown values come back unchanged.
   */
  async resolve(value: string): Promise<string> {
    return matchTenants(value, (await this.read()).rows)[0]?.id ?? value;
  }

  /** The rows, and whether the change signal vouches for them (false: reused within the TTL). */
  private async read(): Promise<{ rows: TenantTableRow[]; current: boolean }> {
    const signal = this.changes ? await this.changes() : null;
    // Read before the rows, as the live-grant cache does: a commit landing in between files newer rows under an
    // older version, and the next call reads again.
    const version = signal ? signal.version() : null;
    const t = this.monotonic();
    const c = this.cached;
    if (c && (version !== null ? c.version === version : t - c.at < this.ttlMs))
      return { rows: c.rows, current: version !== null };
    // Callers that see the same version share one read; a newer version never joins an older read. (An older read
    // finishing last files older rows under its older version, which the next call does not match.)
    if (this.loading?.version !== version) {
      const load = this.db
        .select()
        .from(tenants)
        .then((rows) => {
          this.cached = { at: t, version, rows };
          return rows;
        })
        .finally(() => {
          if (this.loading?.promise === load) this.loading = null;
        });
      this.loading = { version, promise: load };
    }
    return { rows: await this.loading.promise, current: version !== null };
  }
}

/** The tenant scope of a principal over the current tenants table, read now (services, tests, admin). */
export async function loadTenantScope(db: DbLike, principal: Principal): Promise<TenantScope> {
  const rows = await db
    .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
    .from(tenants);
  return new TenantScope(principal, allowedTenantIds(principal, rows));
}
