import { and, asc, eq, inArray, ne, not, or, sql, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { preparedPerHandle } from "../../store/prepared";
import { type PRODUCT_CLASSES, type PRODUCT_UNITS, productPrices, products } from "../../store/schema/cavalier";
import { tenants } from "../../store/schema/tenancy";
import { newId } from "../../shared/crypto";
import { CrossTenantError, sharedContentTenantIds, TenantScope } from "../../tenancy/scope";
import { resolveTenant as resolveTenantBy } from "../kit/tenant";
import { CavalierError } from "./errors";
import { decodeCursor } from "../kit/cursor";
import { afterAsc, keysetPage, pageLimit, type Page } from "../kit/page";
import { PricingError, priceQuote, type PricingLine, type QuotePricing } from "./pricing";
import { contains, type PriceRow, type ProductRow, type TenantRow, type UpsertPlan, words } from "./model";

export async function listTenants(
  db: DbLike,
  scope: TenantScope,
  opts: { query?: string; cursor?: string; limit?: number },
): Promise<Page<TenantRow>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.tenants", opts.cursor, ["string", "string"]);
  const terms = words(opts.query);
  if (!cursor && terms.length === 0) {
    // The first page without a search, which is nearly every call: the statement's SQL is built once per database
    // handle rather than by drizzle's builder on each call (about 70 µs of a call's CPU).
    const rows = await firstTenantsPage(db).execute({ scope: scope.boundIds, limit: limit + 1 });
    return keysetPage("cavalier.tenants", rows, limit, (r) => [r.name, r.id]);
  }
  const conds: SQL[] = [scope.where(tenants.id), eq(tenants.disabled, false)];
  for (const w of terms) conds.push(or(contains(tenants.name, w), contains(tenants.id, w))!);
  if (cursor) conds.push(afterAsc(tenants.name, tenants.id, cursor));
  const rows = await db
    .select()
    .from(tenants)
    .where(and(...conds))
    .orderBy(asc(tenants.name), asc(tenants.id))
    .limit(limit + 1);
  return keysetPage("cavalier.tenants", rows, limit, (r) => [r.name, r.id]);
}

/** The first page without a search: the scope and the page size are bound at each run. */
const firstTenantsPage = preparedPerHandle((db) =>
  db
    .select()
    .from(tenants)
    .where(and(TenantScope.wherePrepared(tenants.id, sql.placeholder("scope")), eq(tenants.disabled, false)))
    .orderBy(asc(tenants.name), asc(tenants.id))
    .limit(sql.placeholder("limit"))
    .prepare(),
);

/**
 * The tenant the caller named (id or name, case-insensitive), through the one resolver every surface uses
 * (src/tenancy/resolve.ts): a miss and another customer's tenant read the same; only the audit row differs.
 */
export async function resolveTenant(db: DbLike, scope: TenantScope, ref: string): Promise<TenantRow> {
  return await resolveTenantBy(db, scope, ref);
}

/**
 * THE catalog-sharing rule: catalog rows (products, prices) belong to an MSP tenant, and a client tenant
 * buys from its parent MSP's catalog. So the catalog a tenant sees is its parent's when it is a client,
 * otherwise its own (an MSP's, or an individual tenant's own catalog).
 */
export function catalogOwnerOf(tenant: Pick<TenantRow, "id" | "kind" | "parentId">): string {
  return tenant.kind === "client" && tenant.parentId ? tenant.parentId : tenant.id;
}

/**
 * Catalog owners readable by a scope: its own tenants plus the parent MSPs of client tenants in it
 * (sharedContentTenantIds, the tenancy module's one rule for MSP content shared down to clients).
 */
export async function catalogOwnerIds(db: DbLike, scope: TenantScope): Promise<string[]> {
  const rows = await db
    .select({ id: tenants.id, kind: tenants.kind, parentId: tenants.parentId, disabled: tenants.disabled })
    .from(tenants);
  return [...scope.tenantIds, ...sharedContentTenantIds(scope, rows)];
}

// Catalog

export interface ProductWithPrices {
  product: ProductRow;
  prices: PriceRow[];
}

export async function searchProducts(
  db: DbLike,
  scope: TenantScope,
  opts: {
    query?: string;
    billingType?: "one_time" | "recurring";
    productClass?: ProductRow["productClass"];
    includeInactive?: boolean;
    tenant?: string;
    cursor?: string;
    limit?: number;
  },
): Promise<Page<ProductWithPrices>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.products", opts.cursor, ["string", "string"]);
  const owners = opts.tenant
    ? [catalogOwnerOf(await resolveTenant(db, scope, opts.tenant))]
    : await catalogOwnerIds(db, scope);
  const conds: SQL[] = [inArray(products.tenantId, owners.length > 0 ? owners : ["\u0000none"])];
  if (!opts.includeInactive) conds.push(eq(products.active, true));
  if (opts.billingType) conds.push(eq(products.billingType, opts.billingType));
  if (opts.productClass) conds.push(eq(products.productClass, opts.productClass));
  for (const w of words(opts.query))
    conds.push(or(contains(products.sku, w), contains(products.name, w), contains(products.description, w))!);
  if (cursor) conds.push(afterAsc(products.sku, products.id, cursor));
  const rows = await db
    .select()
    .from(products)
    .where(and(...conds))
    .orderBy(asc(products.sku), asc(products.id))
    .limit(limit + 1);
  const page = keysetPage("cavalier.products", rows, limit, (r) => [r.sku, r.id]);
  const prices = page.items.length
    ? await db
        .select()
        .from(productPrices)
        .where(
          inArray(
            productPrices.productId,
            page.items.map((p) => p.id),
          ),
        )
        .orderBy(asc(productPrices.currency))
    : [];
  return {
    items: page.items.map((product) => ({ product, prices: prices.filter((p) => p.productId === product.id) })),
    nextCursor: page.nextCursor,
  };
}

/**
 * Finds a catalog product by id, SKU or name (case-insensitive), as a model would type it: "Operations Pro",
 * "OPS-PRO-SEAT", or "Operations Pro seat" (the longest product name contained in the reference).
 */
export async function resolveProduct(
  db: DbLike,
  scope: TenantScope,
  ownerId: string,
  ref: string,
): Promise<ProductRow> {
  const wanted = ref.trim().toLowerCase();
  const rows = await db
    .select()
    .from(products)
    .where(and(eq(products.tenantId, ownerId), eq(products.active, true)));
  let matches = rows.filter(
    (p) => p.id === ref.trim() || p.sku.toLowerCase() === wanted || p.name.toLowerCase() === wanted,
  );
  if (matches.length === 0) matches = rows.filter((p) => p.name.toLowerCase().startsWith(wanted));
  if (matches.length === 0) {
    const contained = rows.filter((p) => wanted.includes(p.name.toLowerCase()));
    const longest = Math.max(0, ...contained.map((p) => p.name.length));
    matches = contained.filter((p) => p.name.length === longest);
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new CavalierError(
      "ambiguous_reference",
      `"${ref}" matches several products (${matches.map((p) => `${p.name} [${p.sku}]`).join(", ")}); pass the SKU`,
    );
  }
  const message = `no active catalog product matches "${ref}"; find the SKU with cavalier_search_products`;
  // A product id or SKU of another catalog is a cross-tenant probe: audited as such, answered like a miss.
  // Names are not checked: several catalogs can sell a "Microsoft 365 Business Premium", and a typo is no probe.
  const [elsewhere] = await db
    .select({ id: products.id })
    .from(products)
    .where(
      and(
        or(eq(products.id, ref.trim()), sql`lower(${products.sku}) = ${wanted}`),
        ne(products.tenantId, ownerId),
        not(scope.where(products.tenantId)),
      ),
    )
    .limit(1);
  if (elsewhere) throw new CrossTenantError("product", ref, message);
  throw new CavalierError("unknown_product", message);
}

export interface QuoteLineInput {
  /** Product id, SKU or name. */
  product: string;
  quantity: number;
  /** Overrides the catalog price in the quote currency. */
  unitPriceMinor?: number;
  discountBps?: number;
  description?: string;
}

export async function pricingLinesFor(
  db: DbLike,
  scope: TenantScope,
  tenant: TenantRow,
  lines: readonly QuoteLineInput[],
): Promise<PricingLine[]> {
  if (lines.length === 0) throw new CavalierError("invalid_input", "lines must contain at least one line");
  const owner = catalogOwnerOf(tenant);
  const out: PricingLine[] = [];
  for (const [i, line] of lines.entries()) {
    const product = await resolveProduct(db, scope, owner, line.product).catch((err: unknown) => {
      if (err instanceof CavalierError) throw new CavalierError(err.code, `lines[${i}].product: ${err.message}`);
      if (err instanceof CrossTenantError)
        throw new CrossTenantError(err.entity, err.requestedId, `lines[${i}].product: ${err.message}`);
      throw err;
    });
    let unitPriceMinor = line.unitPriceMinor;
    if (unitPriceMinor === undefined) {
      const [price] = await db
        .select()
        .from(productPrices)
        .where(
          and(
            eq(productPrices.productId, product.id),
            eq(productPrices.tenantId, owner),
            eq(productPrices.currency, tenant.currency),
          ),
        )
        .limit(1);
      if (!price) {
        throw new CavalierError(
          "no_price_in_currency",
          `lines[${i}]: ${product.sku} has no ${tenant.currency} price in the catalog; pass unit_price_minor in ${tenant.currency} minor units`,
        );
      }
      unitPriceMinor = price.unitPriceMinor;
    }
    out.push({
      productId: product.id,
      sku: product.sku,
      description: line.description?.trim() || product.name,
      unit: product.unit,
      billingType: product.billingType,
      billingPeriod: product.billingType === "recurring" ? (product.billingPeriod ?? "month") : null,
      quantity: line.quantity,
      unitPriceMinor,
      discountBps: line.discountBps ?? 0,
      taxable: product.taxable,
    });
  }
  return out;
}

export function price(tenant: TenantRow, lines: PricingLine[]): QuotePricing {
  try {
    return priceQuote({ currency: tenant.currency, taxRateBps: tenant.taxRateBps, lines });
  } catch (err) {
    if (err instanceof PricingError) throw new CavalierError("invalid_input", err.message);
    throw err;
  }
}

/** Dry run: prices lines for a tenant in its currency at its tax rate. Reads only. */
export async function priceQuoteFor(
  db: DbLike,
  scope: TenantScope,
  input: { tenant: string; lines: readonly QuoteLineInput[] },
): Promise<{ tenant: TenantRow; pricing: QuotePricing }> {
  const tenant = await resolveTenant(db, scope, input.tenant);
  assertQuotable(tenant);
  return { tenant, pricing: price(tenant, await pricingLinesFor(db, scope, tenant, input.lines)) };
}

/**
 * Who sells to a tenant: the staff of its catalog owner (for a client tenant, its MSP) and platform admins.
 * Sellers open and move deals and draft, revise, send and void quotes (they set the prices). The customer's own
 * users may read their quotes and deals, price a basket, and record their decision on a sent quote; without
 * this rule a client user could issue itself a zero-priced quote and accept it.
 */
export function maySell(scope: TenantScope, tenant: Pick<TenantRow, "id" | "kind" | "parentId">): boolean {
  return scope.principal.role === "platform_admin" || scope.principal.tenantId === catalogOwnerOf(tenant);
}

export async function assertSeller(
  db: DbLike,
  scope: TenantScope,
  tenant: Pick<TenantRow, "id" | "name" | "kind" | "parentId">,
  action: string,
): Promise<void> {
  if (maySell(scope, tenant)) return;
  const [owner] = await db
    .select({ name: tenants.name })
    .from(tenants)
    .where(eq(tenants.id, catalogOwnerOf(tenant)))
    .limit(1);
  throw new CavalierError(
    "forbidden_role",
    `only ${owner?.name ?? "the MSP"} staff can ${action} for ${tenant.name}; you can read its ` +
      `quotes and deals, price a basket with cavalier_price_quote, and record the customer's decision ` +
      `on a sent quote`,
  );
}

export function assertQuotable(tenant: TenantRow): void {
  if (tenant.kind === "msp") {
    throw new CavalierError(
      "invalid_input",
      `${tenant.name} [${tenant.id}] is an MSP; quotes and deals are for its client tenants (see cavalier_list_tenants)`,
    );
  }
}

// Catalog upserts (imports)

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

/** Rows per upsert statement (one JSON parameter each). */
const CHUNK = 5000;

function upsertChunks<T>(rows: readonly T[]): T[][] {
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
  now: number,
): Promise<UpsertPlan> {
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
          // A new price's id follows its product's, so a large import writes prices in the order of the products
          // their foreign key looks up, one page after another.
          id: storedPrice?.id ?? `price_${productId.slice(productId.indexOf("_") + 1)}_${p.currency}`,
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
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  productWrites.sort(byId);
  priceWrites.sort(byId);
  return {
    counts,
    empty: productWrites.length === 0 && priceWrites.length === 0,
    async write(tx) {
      // Upserts keyed on the row id the plan chose (the stored one, or a new one), so a row inserted by another
      // writer since the plan was read fails the unique (tenant, sku) / (product, currency) index and rolls back
      // the whole import rather than duplicating. created_at is never overwritten. Each statement takes its rows
      // as one JSON array read by SQLite's json_each (https://sqlite.org/json1.html#jeach): binding a dozen
      // parameters per row from JavaScript made a 20 MiB catalog's transaction take over 20 s. Rows go in id order,
      // so a large import appends to the primary-key B-trees instead of touching a random page per row
      // (bench/import-largest.ts measures it).
      for (const rows of upsertChunks(productWrites))
        await tx.run(sql`INSERT INTO ${products} (id, tenant_id, sku, name, description, product_class, billing_type,
            billing_period, unit, taxable, active, created_at)
          SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
            j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, j.value ->> 10, j.value ->> 11
          FROM json_each(${JSON.stringify(
            rows.map((r) => [
              r.id,
              r.tenantId,
              r.sku,
              r.name,
              r.description,
              r.productClass,
              r.billingType,
              r.billingPeriod,
              r.unit,
              r.taxable ? 1 : 0,
              r.active ? 1 : 0,
              r.createdAt,
            ]),
          )}) AS j
          WHERE true
          ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name, description = excluded.description,
            product_class = excluded.product_class, billing_type = excluded.billing_type,
            billing_period = excluded.billing_period, unit = excluded.unit, taxable = excluded.taxable,
            active = excluded.active`);
      for (const rows of upsertChunks(priceWrites))
        await tx.run(sql`INSERT INTO ${productPrices} (id, tenant_id, product_id, currency, unit_price_minor,
            unit_cost_minor)
          SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5
          FROM json_each(${JSON.stringify(
            rows.map((r) => [r.id, r.tenantId, r.productId, r.currency, r.unitPriceMinor, r.unitCostMinor]),
          )}) AS j
          WHERE true
          ON CONFLICT (id) DO UPDATE SET unit_price_minor = excluded.unit_price_minor,
            unit_cost_minor = excluded.unit_cost_minor`);
    },
  };
}
