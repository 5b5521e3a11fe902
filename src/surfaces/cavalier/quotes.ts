import { and, asc, desc, eq, inArray, like, or, sql, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { quoteLines, quotes } from "../../store/schema/cavalier";
import { tenants } from "../../store/schema/tenancy";
import { CrossTenantError, NotFoundError, type TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";
import { decodeCursor } from "../kit/cursor";
import { afterDesc, keysetPage, pageLimit, type Page } from "../kit/page";
import { effectiveQuoteStatus, priceQuote, type PricingLine, type QuotePricing, type QuoteStatus } from "./pricing";
import { catalogOwnerOf, resolveTenant } from "./catalog";
import { existsElsewhere } from "./contacts";
import { getDealRow } from "./deals";
import { tenantRow, type QuoteLineRow, type QuoteRow, type TenantRow } from "./model";
import { type PersonRef, peopleNames } from "./people";

export interface QuoteDetail {
  quote: QuoteRow;
  status: QuoteStatus;
  tenant: TenantRow;
  /** Who the quote is addressed to, by name with the id. */
  contact: PersonRef | null;
  lines: QuoteLineRow[];
  pricing: QuotePricing;
  /** Every version of this quote number, oldest first. */
  versions: { id: string; version: number; status: QuoteStatus }[];
}

/** The fields of a line that pricing reads, from a stored or a priced line. */
export function pricingLineOf(l: PricingLine): PricingLine {
  return {
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
  };
}

/** The pricing of stored lines, recomputed by the same pure function that priced them (so totals never drift). */
function pricingOfStored(quote: QuoteRow, lines: QuoteLineRow[]): QuotePricing {
  return priceQuote({
    currency: quote.currency,
    taxRateBps: quote.taxRateBps,
    lines: lines.map(pricingLineOf),
  });
}

export async function quoteRowById(db: DbLike, scope: TenantScope, quoteId: string): Promise<QuoteRow> {
  const [row] = await db
    .select()
    .from(quotes)
    .where(and(eq(quotes.id, quoteId), scope.where(quotes.tenantId)))
    .limit(1);
  return scope.admit(row ?? (await existsElsewhere(db, quotes, quoteId)), "quote", quoteId) as QuoteRow;
}

export async function detailOf(db: DbLike, scope: TenantScope, quote: QuoteRow, now: number): Promise<QuoteDetail> {
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
  const person = await peopleNames(db, scope, { contacts: [quote.contactId] });
  return {
    quote,
    status: effectiveQuoteStatus(quote.status, quote.validUntil, now),
    tenant,
    contact: person(quote.contactId),
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
export async function nextQuoteNumber(db: DbLike, tenant: TenantRow, now: number): Promise<string> {
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
