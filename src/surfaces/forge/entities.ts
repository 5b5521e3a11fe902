import { and, asc, count, desc, eq, gte, lte, sql } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { aegisFindings } from "../../store/schema/aegis";
import { contacts } from "../../store/schema/cavalier";
import type { TenantScope } from "../../tenancy/scope";
import { getFinding } from "../aegis/findings";
import { getPostureSummary, getPostureTrend } from "../aegis/posture";
import { resolveTenant } from "../aegis/tenants";
import {
  type FindingDetailWire as FindingDetail,
  type PostureSummaryWire as PostureSummary,
  type PostureTrendWire as PostureTrend,
  presentFindingDetail,
  presentPostureSummary,
  presentPostureTrend,
} from "../aegis/wire";
import { DAY_MS, STATUS } from "../aegis/ocsf";
import { getDeal, listDeals } from "../cavalier/deals";
import { getQuote, type QuoteDetail } from "../cavalier/quotes";
import { effectiveQuoteStatus, formatMoney, type QuotePricing } from "../cavalier/pricing";
import { getDocument, type DocumentView } from "./documents";

/**
 * Loads the entities forge writes about, always through the owning surface's service functions (aegis,
 * cavalier, forge) with the caller's TenantScope, and flattens them into plain "facts" the pure templates in
 * compose.ts consume. Nothing here writes.
 */

export interface QuoteFacts {
  id: string;
  tenant_id: string;
  tenant_name: string;
  number: string;
  version: number;
  title: string;
  status: string;
  currency: string;
  valid_until: string;
  notes: string;
  lines: {
    line_no: number;
    description: string;
    sku: string;
    quantity: number;
    unit: string;
    unit_price: string;
    billing: string;
    line_total: string;
    discount_pct: number;
  }[];
  one_time_total: string;
  monthly_recurring: string;
  annual_recurring: string;
  tax: string;
  tax_rate_pct: number;
  first_invoice_total: string;
  /** One-time, monthly and annual amounts from the quote's own pricing (cavalier pricing.ts), never mixed. */
  buckets: QuoteBucket[];
  contact: ContactFacts | null;
}

export interface QuoteBucket {
  key: "one_time" | "monthly" | "annual";
  label: string;
  subtotal: string;
  tax: string;
  total: string;
}

export interface ContactFacts {
  id: string;
  name: string;
  email: string;
  title: string;
  is_primary: boolean;
}

export interface DealFacts {
  id: string;
  tenant_id: string;
  tenant_name: string;
  name: string;
  stage: string;
  probability_pct: number;
  expected_close: string | null;
  est_mrr: string;
  est_nrc: string;
  /** Newest first; status as a reader sees it (a sent quote past valid_until reads as expired). */
  quotes: { id: string; number: string; version: number; status: string }[];
  /** Whether an accepted or still-valid quote backs the estimates; without one they are not an estimate. */
  has_live_quote: boolean;
  notes: string;
}

export async function loadFinding(db: DbLike, scope: TenantScope, id: string, now: number): Promise<FindingDetail> {
  return presentFindingDetail(await getFinding(db, scope, id, now, 20));
}

export async function loadDocument(
  db: DbLike,
  scope: TenantScope,
  id: string,
  kind: "article" | "runbook",
): Promise<DocumentView> {
  return await getDocument(db, scope, { id, kind });
}

function toContactFacts(c: typeof contacts.$inferSelect): ContactFacts {
  return { id: c.id, name: c.name, email: c.email, title: c.title, is_primary: c.isPrimary };
}

async function contactFor(db: DbLike, scope: TenantScope, contactId: string | null): Promise<ContactFacts | null> {
  if (!contactId) return null;
  const [c] = await db
    .select()
    .from(contacts)
    .where(and(scope.where(contacts.tenantId), eq(contacts.id, contactId)))
    .limit(1);
  return c ? toContactFacts(c) : null;
}

/** A tenant's contacts, primary first: who a draft may be addressed to. */
export async function loadTenantContacts(db: DbLike, scope: TenantScope, tenantId: string): Promise<ContactFacts[]> {
  const rows = await db
    .select()
    .from(contacts)
    .where(and(scope.where(contacts.tenantId), eq(contacts.tenantId, tenantId)))
    .orderBy(desc(contacts.isPrimary), asc(contacts.name));
  return rows.map(toContactFacts);
}

function bucketOf(l: { billingType: string; billingPeriod: string | null }): QuoteBucket["key"] {
  return l.billingType === "one_time" ? "one_time" : l.billingPeriod === "year" ? "annual" : "monthly";
}

export async function loadQuote(db: DbLike, scope: TenantScope, id: string, now: number): Promise<QuoteFacts> {
  const d = await getQuote(db, scope, { quoteId: id }, now);
  return quoteFactsOf(d, await contactFor(db, scope, d.quote.contactId));
}

/** The quote as facts: every amount is the quote's own pricing (cavalier pricing.ts) formatted, never recomputed. */
export function quoteFactsOf(
  d: {
    quote: Pick<QuoteDetail["quote"], "id" | "quoteNumber" | "version" | "title" | "currency" | "validUntil" | "notes">;
    status: string;
    tenant: { id: string; name: string };
    pricing: QuotePricing;
  },
  contact: ContactFacts | null,
): QuoteFacts {
  const cur = d.quote.currency;
  const m = (minor: number) => formatMoney(minor, cur);
  return {
    id: d.quote.id,
    tenant_id: d.tenant.id,
    tenant_name: d.tenant.name,
    number: d.quote.quoteNumber,
    version: d.quote.version,
    title: d.quote.title,
    status: d.status,
    currency: cur,
    valid_until: new Date(d.quote.validUntil).toISOString().slice(0, 10),
    notes: d.quote.notes,
    lines: d.pricing.lines.map((l) => ({
      line_no: l.lineNo,
      description: l.description,
      sku: l.sku,
      quantity: l.quantity,
      unit: l.unit,
      unit_price: m(l.unitPriceMinor),
      billing: l.billingType === "one_time" ? "one-time" : l.billingPeriod === "year" ? "per year" : "per month",
      line_total: m(l.lineTotalMinor),
      discount_pct: l.discountBps / 100,
    })),
    one_time_total: m(d.pricing.oneTime.totalMinor),
    monthly_recurring: m(d.pricing.recurringMonthly.totalMinor),
    annual_recurring: m(d.pricing.recurringAnnual.totalMinor),
    tax: m(d.pricing.taxMinor),
    tax_rate_pct: d.pricing.taxRateBps / 100,
    first_invoice_total: m(d.pricing.totalMinor),
    buckets: (
      [
        ["one_time", "One-time", d.pricing.oneTime],
        ["monthly", "Monthly recurring", d.pricing.recurringMonthly],
        ["annual", "Annual recurring", d.pricing.recurringAnnual],
      ] as const
    )
      .filter(([key]) => d.pricing.lines.some((l) => bucketOf(l) === key))
      .map(([key, label, b]) => ({
        key,
        label,
        subtotal: m(b.subtotalMinor),
        tax: m(b.taxMinor),
        total: m(b.totalMinor),
      })),
    contact,
  };
}

export async function loadDeal(db: DbLike, scope: TenantScope, id: string, now: number): Promise<DealFacts> {
  const d = await getDeal(db, scope, id, now);
  return {
    id: d.deal.id,
    tenant_id: d.tenant.id,
    tenant_name: d.tenant.name,
    name: d.deal.name,
    stage: d.deal.stage,
    probability_pct: d.deal.probabilityPct,
    expected_close: d.deal.expectedCloseDate,
    est_mrr: formatMoney(d.estMrrMinor, d.deal.currency),
    est_nrc: formatMoney(d.estNrcMinor, d.deal.currency),
    quotes: d.quotes.map((q) => ({
      id: q.id,
      number: q.quoteNumber,
      version: q.version,
      status: effectiveQuoteStatus(q.status, q.validUntil, now),
    })),
    has_live_quote: d.quotes.some((q) =>
      ["accepted", "draft", "sent"].includes(effectiveQuoteStatus(q.status, q.validUntil, now)),
    ),
    notes: d.deal.notes,
  };
}

export interface QbrFacts {
  tenant_id: string;
  tenant_name: string;
  from: number;
  to: number;
  posture: PostureSummary | null;
  trend: PostureTrend | null;
  findings_opened: number;
  findings_resolved: number;
  /** Days from detection to resolution of each finding resolved in the period. */
  resolution_days: number[];
  open_deals: DealFacts[];
}

/** Everything a quarterly business review needs, for one tenant and period. */
export async function loadQbrFacts(
  db: DbLike,
  scope: TenantScope,
  tenantId: string,
  from: number,
  to: number,
  now: number,
): Promise<QbrFacts> {
  const tenant = await resolveTenant(db, scope, tenantId);
  const posture = await getPostureSummary(db, scope, tenant.id, now).then(presentPostureSummary, () => null);
  const trend = await getPostureTrend(db, scope, { tenantId: tenant.id, from, to, interval: "month" }).then(
    presentPostureTrend,
    () => null,
  );
  const [opened] = await db
    .select({ n: count() })
    .from(aegisFindings)
    .where(
      and(
        scope.whereTenant(aegisFindings.tenantId, tenant.id),
        gte(aegisFindings.firstSeenAt, from),
        lte(aegisFindings.firstSeenAt, to),
      ),
    );
  const resolvedRows = await db
    .select({ first: aegisFindings.firstSeenAt, resolved: aegisFindings.resolvedAt })
    .from(aegisFindings)
    .where(
      and(
        scope.whereTenant(aegisFindings.tenantId, tenant.id),
        eq(aegisFindings.statusId, STATUS.RESOLVED),
        gte(aegisFindings.resolvedAt, from),
        lte(aegisFindings.resolvedAt, to),
        // Checks that passed on first sight are not work done in the period.
        sql`${aegisFindings.resolvedAt} > ${aegisFindings.firstSeenAt}`,
      ),
    );
  const resolutionDays = resolvedRows
    .map((r) => Math.round((((r.resolved ?? r.first) - r.first) / DAY_MS) * 10) / 10)
    .sort((a, b) => a - b);
  const deals = await listDeals(db, scope, {
    tenant: tenant.id,
    stages: ["lead", "qualified", "proposal", "negotiation"],
    limit: 10,
  });
  const openDeals: DealFacts[] = [];
  for (const d of deals.items) openDeals.push(await loadDeal(db, scope, d.deal.id, now));
  return {
    tenant_id: tenant.id,
    tenant_name: tenant.name,
    from,
    to,
    posture,
    trend,
    findings_opened: Number(opened?.n ?? 0),
    findings_resolved: resolutionDays.length,
    resolution_days: resolutionDays,
    open_deals: openDeals,
  };
}
