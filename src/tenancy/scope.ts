import { and, eq, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Role } from "../config/schema";
import type { tenants } from "../store/schema/tenancy";

/** A row of the tenants table, every column. */
export type TenantTableRow = typeof tenants.$inferSelect;

export interface TenantRecord {
  id: string;
  kind: "msp" | "client" | "individual";
  parentId: string | null;
  disabled: boolean;
}

export interface Principal {
  userId: string;
  role: Role;
  tenantId: string;
}

/**
 * Which tenants a principal may act on. Pure; the one statement of the tenancy rule:
 * - platform_admin: every enabled tenant;
 * - msp_admin / technician of an MSP: the MSP and its client tenants;
 * - anyone else (client-tenant users, individual_owner): their own tenant only.
 */
export function allowedTenantIds(principal: Principal, tenants: readonly TenantRecord[]): string[] {
  const enabled = tenants.filter((t) => !t.disabled);
  if (principal.role === "platform_admin") return enabled.map((t) => t.id);
  const home = enabled.find((t) => t.id === principal.tenantId);
  if (!home) return [];
  if (home.kind === "msp" && (principal.role === "msp_admin" || principal.role === "technician")) {
    return [home.id, ...enabled.filter((t) => t.parentId === home.id).map((t) => t.id)];
  }
  return [home.id];
}

/** Roles that may approve an OAuth client for a tenant the first time (seed: "Permission to create OAuth clients"). */
export function mayApproveClients(role: Role): boolean {
  return role === "platform_admin" || role === "msp_admin" || role === "individual_owner";
}

/** Raised when an id exists but belongs to a tenant outside the caller's scope. Shown to callers exactly like NotFound. */
export class CrossTenantError extends Error {
  readonly code = "denied_cross_tenant";
  constructor(
    readonly entity: string,
    readonly requestedId: string,
    /** What the caller reads: by default, and always, exactly what a missing `entity` would read. */
    publicMessage = "not found or not permitted",
  ) {
    super(publicMessage);
  }
}

/** Raised when an id does not exist at all. Same public message as CrossTenantError. */
export class NotFoundError extends Error {
  readonly code = "not_found";
  constructor(
    readonly entity: string,
    readonly requestedId: string,
  ) {
    super("not found or not permitted");
  }
}

/**
 * The tenant scope of one authenticated call. Every data-access function takes one, and every query
 * filters through `where(column)` or checks through `require`/`admit`: this class is the single place the
 * cross-tenant rule is enforced.
 */
export class TenantScope {
  private readonly set: ReadonlySet<string>;
  /** Tenants whose rows this call was admitted to (by id or by a named tenant); see `actedOn`. */
  private readonly touched = new Set<string>();

  constructor(
    readonly principal: Principal,
    readonly tenantIds: readonly string[],
    /**
     * The tenants table this scope was computed from, when the reader knows it is current (the tenant directory on
     * an embedded file, src/mcp/tenant-scope.ts): a tool resolving the tenant it names matches against them and
     * reads only that tenant again (src/tenancy/resolve.ts). Absent, resolution reads the table.
     */
    readonly snapshot?: readonly TenantTableRow[],
  ) {
    this.set = new Set(tenantIds);
  }

  includes(tenantId: string): boolean {
    return this.set.has(tenantId);
  }

  /** SQL condition restricting `column` (a tenant_id column) to this scope. Empty scope matches nothing. */
  where(column: SQLiteColumn): SQL {
    return inArray(column, this.tenantIds.length > 0 ? [...this.tenantIds] : ["\u0000none"]);
  }

  /**
   * `where` for a query prepared once and run many times (drizzle `.prepare()`): the condition holds a placeholder,
   * and each run binds `boundIds` to it. The ids travel as one JSON array read by SQLite's `json_each`
   * (https://www.sqlite.org/json1.html#jeach), so one statement serves every scope size; an empty scope binds `[]`
   * and matches nothing, as `where` does.
   */
  static wherePrepared(column: SQLiteColumn, ids: Placeholder): SQL {
    return sql`${column} IN (SELECT value FROM json_each(${ids}))`;
  }

  /** The value to bind to `wherePrepared`'s placeholder for this scope. */
  get boundIds(): string {
    return (this.bound ??= JSON.stringify(this.tenantIds));
  }
  private bound: string | undefined;

  /**
   * SQL condition restricting `column` to the one tenant `tenantId`, and to nothing when that tenant is outside this
   * scope: the scope filter stays in the query even after the tenant was resolved, so a query can never be widened.
   */
  whereTenant(column: SQLiteColumn, tenantId: string): SQL {
    return and(this.where(column), eq(column, tenantId)) as SQL;
  }

  /** Throws CrossTenantError unless `tenantId` is in scope (for a tenant id the caller named). */
  require(tenantId: string, entity = "tenant"): void {
    if (!this.set.has(tenantId)) throw new CrossTenantError(entity, tenantId);
    this.touched.add(tenantId);
  }

  /**
   * Admits a row fetched by id: returns it when its tenant is in scope; throws NotFoundError when absent,
   * CrossTenantError when it belongs elsewhere. Both read "not found or not permitted" to the caller.
   */
  admit<T extends { tenantId: string | null }>(row: T | undefined | null, entity: string, id: string): T {
    if (!row) throw new NotFoundError(entity, id);
    // Rows with a null tenant are MSP-wide shared content (e.g. forge articles); readable by any scope.
    if (row.tenantId !== null && !this.set.has(row.tenantId)) throw new CrossTenantError(entity, id);
    if (row.tenantId !== null) this.touched.add(row.tenantId);
    return row;
  }

  /**
   * The one tenant this call acted on, when every admitted row and named tenant belonged to a single tenant
   * (a quote fetched by id acts on the quote's tenant, not the caller's home tenant); null otherwise.
   * The audit row records it, so the log says whose data was read or changed.
   */
  get actedOn(): string | null {
    if (this.touched.size !== 1) return null;
    return this.touched.values().next().value ?? null;
  }
}

/**
 * MSP-wide shared content (forge articles and runbooks stored with tenant_id = the MSP's id) that a scope may
 * READ besides its own tenants: the parent MSP of every client tenant in scope, when that MSP is not already in
 * scope. Callers must restrict rows from these tenants to client-visible content (visibility "client"); MSP
 * staff already have the MSP in scope and see its internal content too. Never used for writes.
 * Pure: `tenants` is the tenant table (or the config's tenants).
 */
export function sharedContentTenantIds(scope: TenantScope, tenants: readonly TenantRecord[]): string[] {
  const parents = new Set<string>();
  const byId = new Map(tenants.map((t) => [t.id, t]));
  for (const id of scope.tenantIds) {
    const parentId = byId.get(id)?.parentId;
    if (!parentId || scope.includes(parentId)) continue;
    if (byId.get(parentId)?.disabled !== false) continue;
    parents.add(parentId);
  }
  return [...parents];
}
