import { and, count, eq, getTableName, inArray, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Clock } from "../shared/clock";
import type { Logger } from "../shared/log";
import type { DbLike, Store } from "../store/index";
import * as aegisSchema from "../store/schema/aegis";
import { contacts, deals, products, quotes } from "../store/schema/cavalier";
import * as cavalierSchema from "../store/schema/cavalier";
import * as forgeSchema from "../store/schema/forge";
import { storeMeta, tenants } from "../store/schema/tenancy";
import { DEMO_CLIENTS, DEMO_MSP, seedCavalier } from "./cavalier-seed";

/**
 * The demo seed orchestrator: one transaction that runs every surface's seed, then records a marker in
 * store_meta. Each surface seed uses fixed ids and ON CONFLICT DO NOTHING, so seeding twice changes nothing, and
 * the result says which rows a run added.
 * `serve` runs it at start only on an empty database (no marker, no business rows); `cavaridge demo seed`
 * runs it on demand.
 */

export const DEMO_SEED_MARKER = "demo.seed";
/** Bump when the demo data changes shape; stored in the marker for operators' information. */
export const DEMO_SEED_VERSION = 1;

export interface SeedContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A surface's share of the demo: inserts its rows with fixed ids, ignoring rows already there. */
export type SurfaceSeed = (db: DbLike, now: number) => Promise<unknown>;

/**
 * `seeded`: rows were added, counted per table (`added`, only tables that grew); `unchanged`: every demo row was
 * already there, nothing was written; `skipped`: nothing was attempted, for `reason`.
 */
export type SeedResult =
  | { status: "seeded"; added: Record<string, number> }
  | { status: "unchanged" }
  | { status: "skipped"; reason: string };

/** Every table a surface seed writes to, and store_meta for the marker. */
const SEEDED_TABLES: SQLiteTable[] = [
  ...[cavalierSchema, aegisSchema, forgeSchema].flatMap((schema) =>
    Object.values(schema).filter((v): v is SQLiteTable => is(v, SQLiteTable)),
  ),
  storeMeta,
];

async function rowCounts(db: DbLike): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of SEEDED_TABLES) {
    const [row] = await db.select({ n: count() }).from(table);
    counts.set(getTableName(table), row?.n ?? 0);
  }
  return counts;
}

const DEMO_TENANT_IDS = [DEMO_MSP, ...Object.values(DEMO_CLIENTS)];

/**
 * Seeds the demo data. With `onlyIfEmpty` (start-up), does nothing when the marker exists or any business row
 * does, so an operator's real data is never mixed with demo rows. The demo tenants must be configured
 * (config.example.toml has them); otherwise nothing is written.
 * `extraSeeds` are the other surfaces' seeds (aegis, forge), run in the same transaction after cavalier's.
 */
export async function seedDemo(
  ctx: SeedContext,
  opts: { onlyIfEmpty?: boolean; extraSeeds?: Record<string, SurfaceSeed> } = {},
): Promise<SeedResult> {
  const db = ctx.store.db;
  const rows = await db
    .select({ id: tenants.id, currency: tenants.currency, taxRateBps: tenants.taxRateBps })
    .from(tenants)
    .where(and(inArray(tenants.id, DEMO_TENANT_IDS), eq(tenants.disabled, false)));
  const missing = DEMO_TENANT_IDS.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length > 0) return { status: "skipped", reason: `demo tenants not configured: ${missing.join(", ")}` };

  if (opts.onlyIfEmpty) {
    const [marker] = await db.select().from(storeMeta).where(eq(storeMeta.key, DEMO_SEED_MARKER)).limit(1);
    if (marker) return { status: "skipped", reason: "already seeded" };
    for (const table of [products, contacts, deals, quotes]) {
      const [any] = await db.select({ id: table.id }).from(table).limit(1);
      if (any) return { status: "skipped", reason: "the database already holds business data" };
    }
  }

  const now = ctx.clock();
  const byId = new Map(rows.map((r) => [r.id, r]));
  // The seeds only insert (fixed ids, ON CONFLICT DO NOTHING), so the growth of each table inside the transaction
  // is exactly what this run added: counted, not assumed from the size of the demo data set.
  const added = await db.transaction(async (tx) => {
    const before = await rowCounts(tx);
    await seedCavalier(tx, now, byId);
    for (const seed of Object.values(opts.extraSeeds ?? {})) await seed(tx, now);
    const value = JSON.stringify({ version: DEMO_SEED_VERSION, seeded_at: new Date(now).toISOString() });
    await tx
      .insert(storeMeta)
      .values({ key: DEMO_SEED_MARKER, value, updatedAt: Math.floor(now / 1000) })
      .onConflictDoNothing();
    const grown: Record<string, number> = {};
    for (const [table, n] of await rowCounts(tx)) {
      const delta = n - (before.get(table) ?? 0);
      if (delta !== 0) grown[table] = delta;
    }
    return grown;
  });
  if (Object.keys(added).length === 0) return { status: "unchanged" };
  ctx.log.info("demo data seeded", { added });
  return { status: "seeded", added };
}
