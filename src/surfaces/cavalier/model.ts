import { and, eq, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { sha256Hex } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import type {
  contacts,
  DEAL_STAGES,
  deals,
  productPrices,
  products,
  quoteLines,
  quotes,
} from "../../store/schema/cavalier";
import { tenants } from "../../store/schema/tenancy";
import type { TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";

/**
 * Cavalier data access. Every function takes a TenantScope and every query goes through it:
 * lists filter with `scope.where(table.tenantId)`, fetches by id pass through `scope.admit`, and a tenant the
 * caller names is checked with `scope.require` (via resolveTenant). Writes only ever touch rows read that way.
 */

export type TenantRow = typeof tenants.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type PriceRow = typeof productPrices.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type DealRow = typeof deals.$inferSelect;
export type QuoteRow = typeof quotes.$inferSelect;
export type QuoteLineRow = typeof quoteLines.$inferSelect;
export type DealStage = (typeof DEAL_STAGES)[number];

/** LIKE '%word%' with the wildcards in `word` escaped (SQLite LIKE is case-insensitive for ASCII). */
export function contains(col: SQLiteColumn, word: string): SQL {
  const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`${col} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}

export function words(query: string | undefined): string[] {
  return (query ?? "")
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 8);
}

export async function tenantRow(db: DbLike, scope: TenantScope, tenantId: string): Promise<TenantRow> {
  const [row] = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.id, tenantId), scope.where(tenants.id)))
    .limit(1);
  return scope.admit(row ? { ...row, tenantId: row.id } : undefined, "tenant", tenantId);
}

export function requestHash(value: unknown): string {
  return sha256Hex(JSON.stringify(value));
}

export function idempotencyConflict(entity: string, id: string): CavalierError {
  return new CavalierError(
    "idempotency_conflict",
    `idempotency_key was already used for a different ${entity} request (${id}); use a new key for a new ${entity}, or repeat the original request exactly`,
    { existing_id: id },
  );
}

/**
 * Writes computed from a batch of incoming rows compared with the stored ones (an import): what they change, and
 * the statements, run later inside the caller's write transaction. Counts are per incoming row.
 */
export interface UpsertPlan {
  counts: { inserted: number; updated: number; unchanged: number };
  /** True when every incoming row is already stored as given: `write` has nothing to do. */
  empty: boolean;
  write(tx: DbLike): Promise<void>;
}
