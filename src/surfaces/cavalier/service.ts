import { and, asc, desc, eq, inArray, like, ne, not, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { sha256Hex, newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import {
  contacts,
  type DEAL_STAGES,
  deals,
  productPrices,
  products,
  quoteLines,
  quotes,
} from "../../store/schema/cavalier";
import { PolicySection } from "../../config/schema";
import { tenants } from "../../store/schema/tenancy";
import { CrossTenantError, NotFoundError, sharedContentTenantIds, type TenantScope } from "../../tenancy/scope";
import { resolveTenant as resolveTenantBy } from "../kit/tenant";
import { CavalierError } from "./errors";
import { decodeCursor } from "../kit/cursor";
import { afterAsc, afterDesc, keysetPage, pageLimit, type Page } from "../kit/page";
import {
  DEFAULT_VALID_DAYS,
  effectiveQuoteStatus,
  PricingError,
  priceQuote,
  validUntilFrom,
  type PricingLine,
  type QuotePricing,
  type QuoteStatus,
} from "./pricing";

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

export interface Actor {
  userId: string;
}

/** Default win probability per stage (ConnectWise/Autotask keep a probability beside the stage). */
export const STAGE_PROBABILITY: Record<DealStage, number> = {
  lead: 10,
  qualified: 25,
  proposal: 50,
  negotiation: 75,
  closed_won: 100,
  closed_lost: 0,
};

// ---------------------------------------------------------------------------------------------------
// Tenants and the catalog-sharing rule

/** LIKE '%word%' with the wildcards in `word` escaped (SQLite LIKE is case-insensitive for ASCII). */
function contains(col: SQLiteColumn, word: string): SQL {
  const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`${col} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}

function words(query: string | undefined): string[] {
  return (query ?? "")
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 8);
}

export async function listTenants(
  db: DbLike,
  scope: TenantScope,
  opts: { query?: string; cursor?: string; limit?: number },
): Promise<Page<TenantRow>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.tenants", opts.cursor, ["string", "string"]);
  const conds: SQL[] = [scope.where(tenants.id), eq(tenants.disabled, false)];
  for (const w of words(opts.query)) conds.push(or(contains(tenants.name, w), contains(tenants.id, w))!);
  if (cursor) conds.push(afterAsc(tenants.name, tenants.id, cursor));
  const rows = await db
    .select()
    .from(tenants)
    .where(and(...conds))
    .orderBy(asc(tenants.name), asc(tenants.id))
    .limit(limit + 1);
  return keysetPage("cavalier.tenants", rows, limit, (r) => [r.name, r.id]);
}

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

// ---------------------------------------------------------------------------------------------------
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

async function pricingLinesFor(
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

function price(tenant: TenantRow, lines: PricingLine[]): QuotePricing {
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

async function assertSeller(
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
    `only ${owner?.name ?? "the MSP"} staff can ${action} for ${tenant.name}; you can read its quotes and deals, price a basket with cavalier_price_quote, and record the customer's decision on a sent quote`,
  );
}

function assertQuotable(tenant: TenantRow): void {
  if (tenant.kind === "msp") {
    throw new CavalierError(
      "invalid_input",
      `${tenant.name} [${tenant.id}] is an MSP; quotes and deals are for its client tenants (see cavalier_list_tenants)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Contacts

export async function listContacts(
  db: DbLike,
  scope: TenantScope,
  opts: { tenant?: string; query?: string; cursor?: string; limit?: number },
): Promise<Page<ContactRow>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.contacts", opts.cursor, ["string", "string"]);
  const conds: SQL[] = [scope.where(contacts.tenantId)];
  if (opts.tenant) conds.push(eq(contacts.tenantId, (await resolveTenant(db, scope, opts.tenant)).id));
  for (const w of words(opts.query))
    conds.push(or(contains(contacts.name, w), contains(contacts.email, w), contains(contacts.title, w))!);
  if (cursor) conds.push(afterAsc(contacts.name, contacts.id, cursor));
  const rows = await db
    .select()
    .from(contacts)
    .where(and(...conds))
    .orderBy(asc(contacts.name), asc(contacts.id))
    .limit(limit + 1);
  return keysetPage("cavalier.contacts", rows, limit, (r) => [r.name, r.id]);
}

async function contactOfTenant(
  db: DbLike,
  scope: TenantScope,
  contactId: string,
  tenantId: string,
): Promise<ContactRow> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, contactId), scope.where(contacts.tenantId)))
    .limit(1);
  const contact = scope.admit(
    row ?? (await existsElsewhere(db, contacts, contactId)),
    "contact",
    contactId,
  ) as ContactRow;
  if (contact.tenantId !== tenantId)
    throw new CavalierError(
      "invalid_input",
      `contact ${contactId} belongs to another tenant than this quote/deal; pick one from cavalier_list_contacts`,
    );
  return contact;
}

/**
 * For a fetch by id that missed inside the scope: returns a stub carrying only the row's tenant, so
 * scope.admit can tell "belongs elsewhere" (CrossTenantError, audited) from "does not exist" (NotFoundError).
 */
async function existsElsewhere(
  db: DbLike,
  table: typeof contacts | typeof deals | typeof quotes,
  id: string,
): Promise<{ tenantId: string } | undefined> {
  const [row] = await db.select({ tenantId: table.tenantId }).from(table).where(eq(table.id, id)).limit(1);
  return row;
}

// ---------------------------------------------------------------------------------------------------
// Deals

export async function listDeals(
  db: DbLike,
  scope: TenantScope,
  opts: { tenant?: string; stages?: readonly DealStage[]; cursor?: string; limit?: number },
): Promise<Page<{ deal: DealRow; tenantName: string }>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.deals", opts.cursor, ["count", "string"]);
  const conds: SQL[] = [scope.where(deals.tenantId)];
  if (opts.tenant) conds.push(eq(deals.tenantId, (await resolveTenant(db, scope, opts.tenant)).id));
  if (opts.stages && opts.stages.length > 0) conds.push(inArray(deals.stage, [...opts.stages]));
  if (cursor) conds.push(afterDesc(deals.createdAt, deals.id, cursor));
  const rows = await db
    .select({ deal: deals, tenantName: tenants.name })
    .from(deals)
    .innerJoin(tenants, eq(tenants.id, deals.tenantId))
    .where(and(...conds))
    .orderBy(desc(deals.createdAt), desc(deals.id))
    .limit(limit + 1);
  return keysetPage("cavalier.deals", rows, limit, (r) => [r.deal.createdAt, r.deal.id]);
}

export async function getDealRow(db: DbLike, scope: TenantScope, dealId: string): Promise<DealRow> {
  const [row] = await db
    .select()
    .from(deals)
    .where(and(eq(deals.id, dealId), scope.where(deals.tenantId)))
    .limit(1);
  return scope.admit(row ?? (await existsElsewhere(db, deals, dealId)), "deal", dealId) as DealRow;
}

export interface DealDetail {
  deal: DealRow;
  tenant: TenantRow;
  quotes: QuoteRow[];
  /** From the deal's live quote (accepted, else the newest draft/sent version): what the deal is worth. */
  estMrrMinor: number;
  estNrcMinor: number;
}

export async function getDeal(db: DbLike, scope: TenantScope, dealId: string, now: number): Promise<DealDetail> {
  const deal = await getDealRow(db, scope, dealId);
  const tenant = await tenantRow(db, scope, deal.tenantId);
  const qs = await db
    .select()
    .from(quotes)
    .where(and(eq(quotes.dealId, deal.id), scope.where(quotes.tenantId)))
    .orderBy(desc(quotes.createdAt), desc(quotes.id));
  const live =
    qs.find((q) => q.status === "accepted") ??
    qs.find((q) => {
      const s = effectiveQuoteStatus(q.status, q.validUntil, now);
      return s === "draft" || s === "sent";
    });
  return {
    deal,
    tenant,
    quotes: qs,
    estMrrMinor: live?.recurringMonthlySubtotalMinor ?? 0,
    estNrcMinor: live?.oneTimeSubtotalMinor ?? 0,
  };
}

async function tenantRow(db: DbLike, scope: TenantScope, tenantId: string): Promise<TenantRow> {
  const [row] = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.id, tenantId), scope.where(tenants.id)))
    .limit(1);
  return scope.admit(row ? { ...row, tenantId: row.id } : undefined, "tenant", tenantId);
}

function requestHash(value: unknown): string {
  return sha256Hex(JSON.stringify(value));
}

export interface CreateDealInput {
  tenant: string;
  name: string;
  stage?: DealStage;
  expectedCloseDate?: string;
  contactId?: string;
  notes?: string;
  idempotencyKey: string;
}

/** Creates a deal; the same idempotency key with the same request returns the first deal (replayed: true). */
export async function createDeal(
  db: DbLike,
  scope: TenantScope,
  input: CreateDealInput,
  actor: Actor,
  now: number,
): Promise<{ deal: DealRow; tenant: TenantRow; replayed: boolean }> {
  const tenant = await resolveTenant(db, scope, input.tenant);
  assertQuotable(tenant);
  await assertSeller(db, scope, tenant, "open deals");
  const stage = input.stage ?? "lead";
  if (stage === "closed_won" || stage === "closed_lost") {
    throw new CavalierError(
      "invalid_input",
      "stage: a new deal starts open (lead, qualified, proposal or negotiation); close it later with cavalier_update_deal_stage",
    );
  }
  if (input.expectedCloseDate !== undefined && !isIsoDate(input.expectedCloseDate)) {
    throw new CavalierError("invalid_input", "expected_close_date must be a date like 2026-12-31");
  }
  const name = input.name.trim();
  if (name.length === 0) throw new CavalierError("invalid_input", "name must not be empty");
  const hash = requestHash({
    t: tenant.id,
    name,
    stage,
    d: input.expectedCloseDate ?? null,
    c: input.contactId ?? null,
    n: input.notes ?? "",
  });
  const [existing] = await db
    .select()
    .from(deals)
    .where(
      and(scope.where(deals.tenantId), eq(deals.tenantId, tenant.id), eq(deals.idempotencyKey, input.idempotencyKey)),
    )
    .limit(1);
  if (existing) {
    if (existing.requestHash !== hash) throw idempotencyConflict("deal", existing.id);
    return { deal: existing, tenant, replayed: true };
  }
  if (input.contactId) await contactOfTenant(db, scope, input.contactId, tenant.id);
  const row: DealRow = {
    id: newId("dl"),
    tenantId: tenant.id,
    name,
    stage,
    probabilityPct: STAGE_PROBABILITY[stage],
    expectedCloseDate: input.expectedCloseDate ?? null,
    ownerUserId: actor.userId,
    primaryContactId: input.contactId ?? null,
    currency: tenant.currency,
    notes: input.notes ?? "",
    closedAt: null,
    closeReason: null,
    idempotencyKey: input.idempotencyKey,
    requestHash: hash,
    createdBy: actor.userId,
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(deals).values(row);
  return { deal: row, tenant, replayed: false };
}

function idempotencyConflict(entity: string, id: string): CavalierError {
  return new CavalierError(
    "idempotency_conflict",
    `idempotency_key was already used for a different ${entity} request (${id}); use a new key for a new ${entity}, or repeat the original request exactly`,
    { existing_id: id },
  );
}

function isIsoDate(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)
  );
}

export interface StageChange {
  deal: DealRow;
  tenant: TenantRow;
  previousStage: DealStage;
  changed: boolean;
}

/**
 * Moves a deal to another stage, or closes it won/lost. Closed deals stay closed (a lost customer coming back
 * is a new deal, as in ConnectWise). Moving to the current stage changes nothing. With dryRun, nothing is written.
 */
export async function updateDealStage(
  db: DbLike,
  scope: TenantScope,
  input: { dealId: string; stage: DealStage; reason?: string },
  now: number,
  opts: { dryRun?: boolean } = {},
): Promise<StageChange> {
  const deal = await getDealRow(db, scope, input.dealId);
  const tenant = await tenantRow(db, scope, deal.tenantId);
  await assertSeller(db, scope, tenant, "move deals");
  if (deal.stage === input.stage) return { deal, tenant, previousStage: deal.stage, changed: false };
  if (deal.stage === "closed_won" || deal.stage === "closed_lost") {
    throw new CavalierError(
      "invalid_state_transition",
      `deal is ${deal.stage} and closed deals do not reopen; create a new deal with cavalier_create_deal`,
      {
        from: deal.stage,
        to: input.stage,
        allowed: [],
      },
    );
  }
  const reason = input.reason?.trim() || null;
  if (input.stage === "closed_lost" && !reason)
    throw new CavalierError(
      "invalid_input",
      "reason is required when closing a deal as lost (e.g. 'budget — revisit Q3')",
    );
  const closing = input.stage === "closed_won" || input.stage === "closed_lost";
  const next: DealRow = {
    ...deal,
    stage: input.stage,
    probabilityPct: STAGE_PROBABILITY[input.stage],
    closedAt: closing ? now : null,
    closeReason: closing ? reason : deal.closeReason,
    notes: !closing && reason ? appendNote(deal.notes, reason, now) : deal.notes,
    updatedAt: now,
  };
  if (!opts.dryRun) {
    const updated = await db
      .update(deals)
      .set({
        stage: next.stage,
        probabilityPct: next.probabilityPct,
        closedAt: next.closedAt,
        closeReason: next.closeReason,
        notes: next.notes,
        updatedAt: now,
      })
      .where(and(eq(deals.id, deal.id), eq(deals.stage, deal.stage), scope.where(deals.tenantId)))
      .returning({ id: deals.id });
    if (updated.length === 0)
      throw new CavalierError(
        "invalid_state_transition",
        "the deal changed while this request ran; read it again with cavalier_get_deal",
      );
  }
  return { deal: next, tenant, previousStage: deal.stage, changed: true };
}

function appendNote(notes: string, line: string, now: number): string {
  const entry = `${new Date(now).toISOString().slice(0, 10)}: ${line}`;
  return notes ? `${notes}\n${entry}` : entry;
}

// ---------------------------------------------------------------------------------------------------
// Quotes

export interface QuoteDetail {
  quote: QuoteRow;
  status: QuoteStatus;
  tenant: TenantRow;
  lines: QuoteLineRow[];
  pricing: QuotePricing;
  /** Every version of this quote number, oldest first. */
  versions: { id: string; version: number; status: QuoteStatus }[];
}

/** The pricing of stored lines, recomputed by the same pure function that priced them (so totals never drift). */
function pricingOfStored(quote: QuoteRow, lines: QuoteLineRow[]): QuotePricing {
  return priceQuote({
    currency: quote.currency,
    taxRateBps: quote.taxRateBps,
    lines: lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      description: l.description,
      unit: l.unit,
      billingType: l.billingType,
      billingPeriod: l.billingPeriod,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      discountBps: l.discountBps,
      taxable: l.taxable,
    })),
  });
}

async function quoteRowById(db: DbLike, scope: TenantScope, quoteId: string): Promise<QuoteRow> {
  const [row] = await db
    .select()
    .from(quotes)
    .where(and(eq(quotes.id, quoteId), scope.where(quotes.tenantId)))
    .limit(1);
  return scope.admit(row ?? (await existsElsewhere(db, quotes, quoteId)), "quote", quoteId) as QuoteRow;
}

async function detailOf(db: DbLike, scope: TenantScope, quote: QuoteRow, now: number): Promise<QuoteDetail> {
  const tenant = await tenantRow(db, scope, quote.tenantId);
  const lines = await db
    .select()
    .from(quoteLines)
    .where(and(eq(quoteLines.quoteId, quote.id), scope.where(quoteLines.tenantId)))
    .orderBy(asc(quoteLines.lineNo));
  const versions = await db
    .select({ id: quotes.id, version: quotes.version, status: quotes.status, validUntil: quotes.validUntil })
    .from(quotes)
    .where(
      and(scope.where(quotes.tenantId), eq(quotes.tenantId, quote.tenantId), eq(quotes.quoteNumber, quote.quoteNumber)),
    )
    .orderBy(asc(quotes.version));
  return {
    quote,
    status: effectiveQuoteStatus(quote.status, quote.validUntil, now),
    tenant,
    lines,
    pricing: pricingOfStored(quote, lines),
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      status: effectiveQuoteStatus(v.status, v.validUntil, now),
    })),
  };
}

/** Reads a quote by id, or by its number ("Q-2026-0042", newest version unless `version` is given). */
export async function getQuote(
  db: DbLike,
  scope: TenantScope,
  ref: { quoteId?: string; quoteNumber?: string; version?: number },
  now: number,
): Promise<QuoteDetail> {
  if (ref.quoteId) return detailOf(db, scope, await quoteRowById(db, scope, ref.quoteId), now);
  if (!ref.quoteNumber)
    throw new CavalierError("invalid_input", "pass quote_id, or quote_number (optionally with version)");
  const parsed = /^\s*(Q-\d{4}-\d{4,})(?:\s*v(\d+))?\s*$/i.exec(ref.quoteNumber);
  if (!parsed) throw new CavalierError("invalid_input", "quote_number looks like Q-2026-0042 (or Q-2026-0042 v2)");
  const number = parsed[1]!.toUpperCase();
  const version = ref.version ?? (parsed[2] ? Number(parsed[2]) : undefined);
  const conds: SQL[] = [scope.where(quotes.tenantId), eq(quotes.quoteNumber, number)];
  if (version !== undefined) conds.push(eq(quotes.version, version));
  const rows = await db
    .select()
    .from(quotes)
    .where(and(...conds))
    .orderBy(desc(quotes.version))
    .limit(2);
  if (rows.length === 0) {
    // Quote numbers are per tenant, so the same number may exist elsewhere: that is a cross-tenant probe (audited),
    // answered exactly like a number that does not exist.
    const [elsewhere] = await db
      .select({ id: quotes.id })
      .from(quotes)
      .where(and(...conds.slice(1)))
      .limit(1);
    if (elsewhere) throw new CrossTenantError("quote", ref.quoteNumber);
    throw new NotFoundError("quote", ref.quoteNumber);
  }
  return detailOf(db, scope, rows[0]!, now);
}

/** SQL for "effective status is s" (expired is derived from valid_until, see effectiveQuoteStatus). */
function statusIs(s: QuoteStatus, now: number): SQL {
  if (s === "expired")
    return or(
      eq(quotes.status, "expired"),
      and(inArray(quotes.status, ["draft", "sent"]), sql`${quotes.validUntil} <= ${now}`),
    )!;
  if (s === "draft" || s === "sent") return and(eq(quotes.status, s), sql`${quotes.validUntil} > ${now}`)!;
  return eq(quotes.status, s);
}

export async function listQuotes(
  db: DbLike,
  scope: TenantScope,
  opts: { tenant?: string; statuses?: readonly QuoteStatus[]; dealId?: string; cursor?: string; limit?: number },
  now: number,
): Promise<Page<{ quote: QuoteRow; status: QuoteStatus; tenantName: string }>> {
  const limit = pageLimit(opts.limit);
  const cursor = decodeCursor("cavalier.quotes", opts.cursor, ["count", "string"]);
  const conds: SQL[] = [scope.where(quotes.tenantId)];
  if (opts.tenant) conds.push(eq(quotes.tenantId, (await resolveTenant(db, scope, opts.tenant)).id));
  if (opts.dealId) conds.push(eq(quotes.dealId, (await getDealRow(db, scope, opts.dealId)).id));
  if (opts.statuses && opts.statuses.length > 0) conds.push(or(...opts.statuses.map((s) => statusIs(s, now)))!);
  if (cursor) conds.push(afterDesc(quotes.createdAt, quotes.id, cursor));
  const rows = await db
    .select({ quote: quotes, tenantName: tenants.name })
    .from(quotes)
    .innerJoin(tenants, eq(tenants.id, quotes.tenantId))
    .where(and(...conds))
    .orderBy(desc(quotes.createdAt), desc(quotes.id))
    .limit(limit + 1);
  const page = keysetPage("cavalier.quotes", rows, limit, (r) => [r.quote.createdAt, r.quote.id]);
  return {
    items: page.items.map((r) => ({
      quote: r.quote,
      status: effectiveQuoteStatus(r.quote.status, r.quote.validUntil, now),
      tenantName: r.tenantName,
    })),
    nextCursor: page.nextCursor,
  };
}

/** Next MSP-wide quote number for the year of `now` (Q-2026-0001…): numbers are shared by all tenants of one catalog owner. */
async function nextQuoteNumber(db: DbLike, tenant: TenantRow, now: number): Promise<string> {
  const owner = catalogOwnerOf(tenant);
  const year = new Date(now).getUTCFullYear();
  const siblings = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(or(eq(tenants.id, owner), eq(tenants.parentId, owner)));
  const [row] = await db
    .select({ max: sql<string | null>`max(${quotes.quoteNumber})` })
    .from(quotes)
    .where(
      and(
        inArray(
          quotes.tenantId,
          siblings.map((s) => s.id),
        ),
        like(quotes.quoteNumber, `Q-${year}-%`),
      ),
    );
  const last = row?.max ? Number(row.max.slice(`Q-${year}-`.length)) : 0;
  return `Q-${year}-${String(last + 1).padStart(4, "0")}`;
}

export interface CreateQuoteInput {
  tenant: string;
  dealId?: string;
  contactId?: string;
  title?: string;
  validDays?: number;
  notes?: string;
  lines: readonly QuoteLineInput[];
  idempotencyKey: string;
}

/** What a create or revise would store, before it is stored (the confirmation preview shows this). */
export interface QuoteProposal {
  tenant: TenantRow;
  dealId: string | null;
  contactId: string | null;
  title: string;
  validUntil: number;
  notes: string;
  pricing: QuotePricing;
  /** When the idempotency key was already used for this same request: the quote it created. */
  existing: QuoteDetail | null;
}

function normalizedLines(lines: readonly QuoteLineInput[]) {
  return lines.map((l) => [
    l.product.trim().toLowerCase(),
    l.quantity,
    l.unitPriceMinor ?? null,
    l.discountBps ?? 0,
    l.description?.trim() ?? null,
  ]);
}

async function byIdempotencyKey(
  db: DbLike,
  scope: TenantScope,
  tenantId: string,
  key: string,
): Promise<QuoteRow | undefined> {
  const [row] = await db
    .select()
    .from(quotes)
    .where(and(scope.where(quotes.tenantId), eq(quotes.tenantId, tenantId), eq(quotes.idempotencyKey, key)))
    .limit(1);
  return row;
}

function checkKey(key: string): void {
  if (!/^[A-Za-z0-9_.:-]{8,128}$/.test(key)) {
    throw new CavalierError(
      "invalid_input",
      "idempotency_key must be 8–128 characters of letters, digits, _ . : - (a UUID works)",
    );
  }
}

export async function proposeQuote(
  db: DbLike,
  scope: TenantScope,
  input: CreateQuoteInput,
  now: number,
): Promise<QuoteProposal & { requestHash: string }> {
  checkKey(input.idempotencyKey);
  const tenant = await resolveTenant(db, scope, input.tenant);
  assertQuotable(tenant);
  await assertSeller(db, scope, tenant, "create quotes");
  const hash = requestHash({
    t: tenant.id,
    d: input.dealId ?? null,
    c: input.contactId ?? null,
    ti: input.title?.trim() ?? null,
    v: input.validDays ?? DEFAULT_VALID_DAYS,
    n: input.notes ?? "",
    l: normalizedLines(input.lines),
  });
  const existing = await byIdempotencyKey(db, scope, tenant.id, input.idempotencyKey);
  if (existing) {
    if (existing.requestHash !== hash) throw idempotencyConflict("quote", existing.id);
    const detail = await detailOf(db, scope, existing, now);
    return {
      tenant,
      dealId: existing.dealId,
      contactId: existing.contactId,
      title: existing.title,
      validUntil: existing.validUntil,
      notes: existing.notes,
      pricing: detail.pricing,
      existing: detail,
      requestHash: hash,
    };
  }
  let dealName: string | null = null;
  if (input.dealId) {
    const deal = await getDealRow(db, scope, input.dealId);
    if (deal.tenantId !== tenant.id)
      throw new CavalierError(
        "invalid_input",
        `deal ${input.dealId} belongs to another tenant; pick one of ${tenant.name}'s deals (cavalier_list_deals)`,
      );
    if (deal.stage === "closed_won" || deal.stage === "closed_lost")
      throw new CavalierError(
        "invalid_input",
        `deal ${deal.id} is ${deal.stage}; quote on an open deal or create a new one`,
      );
    dealName = deal.name;
  }
  if (input.contactId) await contactOfTenant(db, scope, input.contactId, tenant.id);
  let validUntil: number;
  try {
    validUntil = validUntilFrom(now, input.validDays ?? DEFAULT_VALID_DAYS);
  } catch (err) {
    if (err instanceof PricingError) throw new CavalierError("invalid_input", err.message);
    throw err;
  }
  const pricing = price(tenant, await pricingLinesFor(db, scope, tenant, input.lines));
  const title =
    input.title?.trim() ||
    dealName ||
    `${pricing.lines[0]!.description}${pricing.lines.length > 1 ? " and more" : ""} for ${tenant.name}`;
  return {
    tenant,
    dealId: input.dealId ?? null,
    contactId: input.contactId ?? null,
    title,
    validUntil,
    notes: input.notes ?? "",
    pricing,
    existing: null,
    requestHash: hash,
  };
}

/** The stored rows of a priced quote's lines (also used by the demo seed, so seeded quotes look like real ones). */
export function lineRows(quoteId: string, tenantId: string, pricing: QuotePricing): QuoteLineRow[] {
  return pricing.lines.map((l) => ({
    id: `${quoteId}_l${l.lineNo}`,
    tenantId,
    quoteId,
    lineNo: l.lineNo,
    productId: l.productId,
    sku: l.sku,
    description: l.description,
    unit: l.unit,
    billingType: l.billingType,
    billingPeriod: l.billingPeriod,
    quantity: l.quantity,
    unitPriceMinor: l.unitPriceMinor,
    discountBps: l.discountBps,
    taxable: l.taxable,
    lineTotalMinor: l.lineTotalMinor,
  }));
}

function totalsColumns(pricing: QuotePricing) {
  return {
    oneTimeSubtotalMinor: pricing.oneTime.subtotalMinor,
    recurringMonthlySubtotalMinor: pricing.recurringMonthly.subtotalMinor,
    recurringAnnualSubtotalMinor: pricing.recurringAnnual.subtotalMinor,
    discountMinor: pricing.discountMinor,
    taxMinor: pricing.taxMinor,
    totalMinor: pricing.totalMinor,
  };
}

/**
 * Creates a draft quote (version 1). Callers run it inside a transaction (the MCP layer's, with the audit row).
 * The same idempotency key with the same request returns the first quote (replayed: true); with a different
 * request it is an idempotency_conflict.
 */
export async function createQuote(
  db: DbLike,
  scope: TenantScope,
  input: CreateQuoteInput,
  actor: Actor,
  now: number,
): Promise<{ detail: QuoteDetail; replayed: boolean }> {
  const proposal = await proposeQuote(db, scope, input, now);
  if (proposal.existing) return { detail: proposal.existing, replayed: true };
  const id = newId("q");
  const row: QuoteRow = {
    id,
    tenantId: proposal.tenant.id,
    dealId: proposal.dealId,
    contactId: proposal.contactId,
    quoteNumber: await nextQuoteNumber(db, proposal.tenant, now),
    version: 1,
    supersedesId: null,
    status: "draft",
    title: proposal.title,
    currency: proposal.tenant.currency,
    taxRateBps: proposal.tenant.taxRateBps,
    validUntil: proposal.validUntil,
    notes: proposal.notes,
    ...totalsColumns(proposal.pricing),
    sentAt: null,
    decidedAt: null,
    decisionReason: null,
    decidedByContactId: null,
    idempotencyKey: input.idempotencyKey,
    requestHash: proposal.requestHash,
    createdBy: actor.userId,
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(quotes).values(row);
  await db.insert(quoteLines).values(lineRows(id, row.tenantId, proposal.pricing));
  return { detail: await detailOf(db, scope, row, now), replayed: false };
}

export interface ReviseQuoteInput {
  quoteId: string;
  /** Replaces every line when given; otherwise the lines are copied. */
  lines?: readonly QuoteLineInput[];
  title?: string;
  validDays?: number;
  notes?: string;
  idempotencyKey: string;
}

const REVISABLE: readonly QuoteStatus[] = ["draft", "sent", "expired"];

export interface RevisionPlan extends QuoteProposal {
  source: QuoteDetail;
  version: number;
  requestHash: string;
}

export async function planRevision(
  db: DbLike,
  scope: TenantScope,
  input: ReviseQuoteInput,
  now: number,
): Promise<RevisionPlan> {
  checkKey(input.idempotencyKey);
  const source = await detailOf(db, scope, await quoteRowById(db, scope, input.quoteId), now);
  await assertSeller(db, scope, source.tenant, "revise quotes");
  const hash = requestHash({
    src: source.quote.id,
    l: input.lines ? normalizedLines(input.lines) : null,
    ti: input.title?.trim() ?? null,
    v: input.validDays ?? null,
    n: input.notes ?? null,
  });
  const existing = await byIdempotencyKey(db, scope, source.quote.tenantId, input.idempotencyKey);
  if (existing) {
    if (existing.requestHash !== hash) throw idempotencyConflict("quote revision", existing.id);
    const detail = await detailOf(db, scope, existing, now);
    return {
      source,
      version: existing.version,
      tenant: detail.tenant,
      dealId: existing.dealId,
      contactId: existing.contactId,
      title: existing.title,
      validUntil: existing.validUntil,
      notes: existing.notes,
      pricing: detail.pricing,
      existing: detail,
      requestHash: hash,
    };
  }
  if (!REVISABLE.includes(source.status)) {
    throw new CavalierError(
      "invalid_state_transition",
      `${source.quote.quoteNumber} v${source.quote.version} is ${source.status}; only draft, sent or expired quotes can be revised${source.status === "superseded" ? ` (revise the newest version, ${source.versions.at(-1)?.id})` : ""}`,
      { from: source.status, to: "superseded", allowed_from: REVISABLE },
    );
  }
  const tenant = source.tenant;
  let pricing: QuotePricing;
  if (input.lines) {
    pricing = price(tenant, await pricingLinesFor(db, scope, tenant, input.lines));
  } else {
    // Copied lines keep their quoted prices; tax follows the tenant's current rate.
    pricing = price(
      tenant,
      source.pricing.lines.map(({ lineNo: _n, grossMinor: _g, lineTotalMinor: _t, ...line }) => line),
    );
  }
  let validUntil: number;
  try {
    validUntil = validUntilFrom(now, input.validDays ?? DEFAULT_VALID_DAYS);
  } catch (err) {
    if (err instanceof PricingError) throw new CavalierError("invalid_input", err.message);
    throw err;
  }
  const version = Math.max(...source.versions.map((v) => v.version)) + 1;
  return {
    source,
    version,
    tenant,
    dealId: source.quote.dealId,
    contactId: source.quote.contactId,
    title: input.title?.trim() || source.quote.title,
    validUntil,
    notes: input.notes ?? source.quote.notes,
    pricing,
    existing: null,
    requestHash: hash,
  };
}

/** Creates version n+1 as a draft and marks the source superseded, in the caller's transaction. */
export async function reviseQuote(
  db: DbLike,
  scope: TenantScope,
  input: ReviseQuoteInput,
  actor: Actor,
  now: number,
): Promise<{ detail: QuoteDetail; supersededId: string; replayed: boolean }> {
  const plan = await planRevision(db, scope, input, now);
  if (plan.existing) return { detail: plan.existing, supersededId: plan.source.quote.id, replayed: true };
  const src = plan.source.quote;
  const updated = await db
    .update(quotes)
    .set({ status: "superseded", updatedAt: now })
    .where(and(eq(quotes.id, src.id), eq(quotes.status, src.status), scope.where(quotes.tenantId)))
    .returning({ id: quotes.id });
  if (updated.length === 0)
    throw new CavalierError(
      "invalid_state_transition",
      "the quote changed while this request ran; read it again with cavalier_get_quote",
    );
  const id = newId("q");
  const row: QuoteRow = {
    ...src,
    id,
    version: plan.version,
    supersedesId: src.id,
    status: "draft",
    title: plan.title,
    taxRateBps: plan.tenant.taxRateBps,
    currency: plan.tenant.currency,
    validUntil: plan.validUntil,
    notes: plan.notes,
    ...totalsColumns(plan.pricing),
    sentAt: null,
    decidedAt: null,
    decisionReason: null,
    decidedByContactId: null,
    idempotencyKey: input.idempotencyKey,
    requestHash: plan.requestHash,
    createdBy: actor.userId,
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(quotes).values(row);
  await db.insert(quoteLines).values(lineRows(id, row.tenantId, plan.pricing));
  return { detail: await detailOf(db, scope, row, now), supersededId: src.id, replayed: false };
}

export type QuoteDecision = "accepted" | "declined" | "void";

/** Which effective states each transition may start from (domain.md §5.3 state machine). */
const ALLOWED_FROM: Record<QuoteDecision | "sent", readonly QuoteStatus[]> = {
  sent: ["draft"],
  accepted: ["sent"],
  declined: ["sent"],
  void: ["draft", "sent", "expired"],
};

/** The role policy of quotes (config `[policy]`). */
export interface QuotePolicy {
  /** Largest per-line discount a technician may send; above it an msp_admin or platform_admin must send it. */
  technicianMaxDiscountBps: number;
}

/** The policy when the caller passes none: the config schema's defaults. */
export const DEFAULT_QUOTE_POLICY: QuotePolicy = {
  technicianMaxDiscountBps: PolicySection.assert({}).technician_max_discount_bps,
};

/** Roles that may approve (by sending) a quote past the technician discount cap. */
export const DISCOUNT_APPROVER_ROLES = ["msp_admin", "platform_admin"] as const;

/** A send that exceeded the technician discount cap, and the approver who sent it anyway. */
export interface PolicyOverride {
  rule: "policy.technician_max_discount_bps";
  capBps: number;
  lines: { lineNo: number; discountBps: number }[];
  approvedBy: { userId: string; role: string };
}

/**
 * The quote approval policy (stated in the knowledge base and configured as `[policy]`): a technician may draft and
 * revise any discount, but may only send a quote whose every line is discounted at most the cap. Returns the
 * override to record when an approver sends a quote past the cap, null when the quote is within it.
 */
function checkSendPolicy(scope: TenantScope, detail: QuoteDetail, policy: QuotePolicy): PolicyOverride | null {
  const cap = policy.technicianMaxDiscountBps;
  const over = detail.lines
    .filter((l) => l.discountBps > cap)
    .map((l) => ({ lineNo: l.lineNo, discountBps: l.discountBps }));
  if (over.length === 0) return null;
  const { role, userId } = scope.principal;
  if ((DISCOUNT_APPROVER_ROLES as readonly string[]).includes(role))
    return { rule: "policy.technician_max_discount_bps", capBps: cap, lines: over, approvedBy: { userId, role } };
  const pct = (bps: number) => `${(bps / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
  throw new CavalierError(
    "forbidden_role",
    `quote approval policy (policy.technician_max_discount_bps = ${cap}): a ${role} may send quotes discounted at most ${pct(cap)} per line, and ${over
      .map((l) => `line ${l.lineNo} is discounted ${pct(l.discountBps)}`)
      .join(
        ", ",
      )}. An msp_admin or platform_admin must approve it by marking it sent; you may still revise it to within ${pct(cap)}.`,
    { rule: "policy.technician_max_discount_bps", cap_bps: cap, lines: over, approvers: DISCOUNT_APPROVER_ROLES },
  );
}

export interface QuoteTransition {
  detail: QuoteDetail;
  previousStatus: QuoteStatus;
  changed: boolean;
  /** When a send exceeded the technician discount cap: the rule and who approved it (for the audit row). */
  policyOverride: PolicyOverride | null;
  /** When an acceptance closed the quote's deal as won. */
  deal: { id: string; name: string; previousStage: DealStage; stage: DealStage } | null;
}

/**
 * Records a customer's decision (accepted | declined), voids a quote, or marks it sent. Repeating the same
 * transition changes nothing. Accepting closes the quote's deal as won. With dryRun nothing is written.
 */
export async function transitionQuote(
  db: DbLike,
  scope: TenantScope,
  input: { quoteId: string; to: QuoteDecision | "sent"; reason?: string; contactId?: string; policy?: QuotePolicy },
  now: number,
  opts: { dryRun?: boolean } = {},
): Promise<QuoteTransition> {
  const before = await detailOf(db, scope, await quoteRowById(db, scope, input.quoteId), now);
  // The customer's own users may accept or decline; sending and voiding are the seller's.
  if (input.to === "sent" || input.to === "void")
    await assertSeller(db, scope, before.tenant, input.to === "sent" ? "mark quotes sent" : "void quotes");
  const ref = `${before.quote.quoteNumber} v${before.quote.version}`;
  if (before.status === input.to)
    return { detail: before, previousStatus: before.status, changed: false, deal: null, policyOverride: null };
  const allowed = ALLOWED_FROM[input.to];
  if (!allowed.includes(before.status)) {
    const hint =
      before.status === "expired"
        ? `it expired on ${new Date(before.quote.validUntil).toISOString().slice(0, 10)}; revise it into a new version with cavalier_revise_quote`
        : before.status === "draft" && input.to !== "sent"
          ? "mark it sent first with cavalier_mark_quote_sent"
          : `allowed from: ${allowed.join(", ")}`;
    throw new CavalierError(
      "invalid_state_transition",
      `${ref} is ${before.status} and cannot become ${input.to}: ${hint}`,
      { from: before.status, to: input.to, allowed_from: allowed },
    );
  }
  const policyOverride =
    input.to === "sent" ? checkSendPolicy(scope, before, input.policy ?? DEFAULT_QUOTE_POLICY) : null;
  if (input.contactId) await contactOfTenant(db, scope, input.contactId, before.quote.tenantId);
  const reason = input.reason?.trim() || null;
  if (input.to === "declined" && !reason)
    throw new CavalierError("invalid_input", "reason is required for a declined quote (what the customer said)");
  if (input.to === "void" && !reason) throw new CavalierError("invalid_input", "reason is required to void a quote");
  const after: QuoteRow =
    input.to === "sent"
      ? { ...before.quote, status: "sent", sentAt: now, updatedAt: now }
      : {
          ...before.quote,
          status: input.to,
          decidedAt: now,
          decisionReason: reason,
          decidedByContactId: input.contactId ?? null,
          updatedAt: now,
        };
  let dealChange: QuoteTransition["deal"] = null;
  if (input.to === "accepted" && before.quote.dealId) {
    const deal = await getDealRow(db, scope, before.quote.dealId);
    if (deal.stage !== "closed_won")
      dealChange = { id: deal.id, name: deal.name, previousStage: deal.stage, stage: "closed_won" };
  }
  if (!opts.dryRun) {
    const updated = await db
      .update(quotes)
      .set({
        status: after.status,
        sentAt: after.sentAt,
        decidedAt: after.decidedAt,
        decisionReason: after.decisionReason,
        decidedByContactId: after.decidedByContactId,
        updatedAt: now,
      })
      .where(and(eq(quotes.id, before.quote.id), eq(quotes.status, before.quote.status), scope.where(quotes.tenantId)))
      .returning({ id: quotes.id });
    if (updated.length === 0)
      throw new CavalierError(
        "invalid_state_transition",
        "the quote changed while this request ran; read it again with cavalier_get_quote",
      );
    if (dealChange) {
      await db
        .update(deals)
        .set({
          stage: "closed_won",
          probabilityPct: 100,
          closedAt: now,
          closeReason: `${ref} accepted`,
          updatedAt: now,
        })
        .where(and(eq(deals.id, dealChange.id), scope.where(deals.tenantId)));
    }
  }
  const status = effectiveQuoteStatus(after.status, after.validUntil, now);
  return {
    detail: {
      ...before,
      quote: after,
      status,
      versions: before.versions.map((v) => (v.id === after.id ? { ...v, status } : v)),
    },
    previousStatus: before.status,
    changed: true,
    deal: dealChange,
    policyOverride,
  };
}
