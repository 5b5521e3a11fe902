import { eq, sql } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { type PRODUCT_CLASSES, type PRODUCT_UNITS, productPrices, products } from "../../store/schema/cavalier";
import type { ImportPlan } from "../kind";

/** One product of an imported catalog, with its price in each currency the file gives. */
export interface CatalogEntry {
  /** Line of the product's first row. */
  line: number;
  sku: string;
  name: string;
  description: string;
  productClass: (typeof PRODUCT_CLASSES)[number];
  unit: (typeof PRODUCT_UNITS)[number];
  billingType: "one_time" | "recurring";
  billingPeriod: "month" | "year" | null;
  taxable: boolean;
  active: boolean;
  prices: { line: number; currency: string; unitPriceMinor: number; unitCostMinor: number }[];
}

type ProductInsert = typeof products.$inferInsert;
type PriceInsert = typeof productPrices.$inferInsert;

/** Rows per INSERT statement: 12 columns x 400 stays far below SQLite's 32,766 bound parameters. */
const CHUNK = 400;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Compares an imported catalog with the owner's stored one and returns the writes. Products match on SKU
 * (case-insensitively, as cavalier resolves SKUs), prices on (product, currency). Counts are per row of the file
 * (one per SKU and currency): inserted when that price is new, updated when the price or its product's fields
 * differ, unchanged otherwise. Products and prices absent from the file are left alone.
 */
export async function planCatalogUpsert(
  db: DbLike,
  ownerId: string,
  entries: readonly CatalogEntry[],
  records: number,
  now: number,
): Promise<ImportPlan> {
  const [storedProducts, storedPrices] = await Promise.all([
    db.select().from(products).where(eq(products.tenantId, ownerId)),
    db.select().from(productPrices).where(eq(productPrices.tenantId, ownerId)),
  ]);
  const bySku = new Map(storedProducts.map((p) => [p.sku.toLowerCase(), p]));
  const priceOf = new Map(storedPrices.map((p) => [`${p.productId}\u0000${p.currency}`, p]));
  const productWrites: ProductInsert[] = [];
  const priceWrites: PriceInsert[] = [];
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  for (const e of entries) {
    const stored = bySku.get(e.sku.toLowerCase());
    const productId = stored?.id ?? newId("prod");
    const productChanged =
      !stored ||
      stored.sku !== e.sku ||
      stored.name !== e.name ||
      stored.description !== e.description ||
      stored.productClass !== e.productClass ||
      stored.unit !== e.unit ||
      stored.billingType !== e.billingType ||
      (stored.billingPeriod ?? null) !== e.billingPeriod ||
      stored.taxable !== e.taxable ||
      stored.active !== e.active;
    if (productChanged)
      productWrites.push({
        id: productId,
        tenantId: ownerId,
        sku: e.sku,
        name: e.name,
        description: e.description,
        productClass: e.productClass,
        billingType: e.billingType,
        billingPeriod: e.billingPeriod,
        unit: e.unit,
        taxable: e.taxable,
        active: e.active,
        createdAt: stored?.createdAt ?? now,
      });
    for (const p of e.prices) {
      const storedPrice = stored ? priceOf.get(`${stored.id}\u0000${p.currency}`) : undefined;
      const priceChanged =
        !storedPrice ||
        storedPrice.unitPriceMinor !== p.unitPriceMinor ||
        storedPrice.unitCostMinor !== p.unitCostMinor;
      if (priceChanged)
        priceWrites.push({
          id: storedPrice?.id ?? newId("price"),
          tenantId: ownerId,
          productId,
          currency: p.currency,
          unitPriceMinor: p.unitPriceMinor,
          unitCostMinor: p.unitCostMinor,
        });
      if (!storedPrice) counts.inserted++;
      else if (priceChanged || productChanged) counts.updated++;
      else counts.unchanged++;
    }
  }
  return {
    records,
    counts,
    tenantIds: [ownerId],
    notes: [],
    empty: productWrites.length === 0 && priceWrites.length === 0,
    async write(tx) {
      // Upserts keyed on the row id the plan chose (the stored one, or a new one), so a row inserted by another
      // writer since the plan was read fails the unique (tenant, sku) / (product, currency) index and rolls back
      // the whole import rather than duplicating. created_at is never overwritten.
      for (const rows of chunks(productWrites))
        await tx
          .insert(products)
          .values(rows)
          .onConflictDoUpdate({
            target: products.id,
            set: {
              sku: sql`excluded.sku`,
              name: sql`excluded.name`,
              description: sql`excluded.description`,
              productClass: sql`excluded.product_class`,
              billingType: sql`excluded.billing_type`,
              billingPeriod: sql`excluded.billing_period`,
              unit: sql`excluded.unit`,
              taxable: sql`excluded.taxable`,
              active: sql`excluded.active`,
            },
          });
      for (const rows of chunks(priceWrites))
        await tx
          .insert(productPrices)
          .values(rows)
          .onConflictDoUpdate({
            target: productPrices.id,
            set: {
              unitPriceMinor: sql`excluded.unit_price_minor`,
              unitCostMinor: sql`excluded.unit_cost_minor`,
            },
          });
    },
  };
}
