import { type } from "arktype";
import { DEAL_STAGES } from "../../store/schema/cavalier";
import { formatMoney, type QuotePricing, type QuoteStatus } from "./pricing";
import type { ProductWithPrices } from "./catalog";
import type { ContactRow, DealRow, QuoteRow, TenantRow } from "./model";
import type { QuoteProposal } from "./quote-drafts";
import type { DealPeople, PersonRef } from "./people";
import type { QuoteDetail } from "./quotes";

/**
 * The wire shapes of cavalier results (snake_case, what structuredContent carries) and the functions that
 * build them from service rows. Money is `{ amount_minor, currency, formatted }` (integer minor units of the ISO 4217 currency); timestamps
 * are ISO 8601 UTC. Costs and margins are internal and never leave the appliance through these shapes.
 */

export const Money = type({ amount_minor: "number.integer", currency: "string", formatted: "string" });
export type Money = typeof Money.infer;

const Iso = "string";
const IsoOrNull = "string | null";

export const TenantRef = type({ id: "string", name: "string" });
/** A person by name with the id beside it (a contact's ctc_…, a user's usr_…). */
export const PersonRefOut = type({ id: "string", name: "string" });
const PersonOrNull = PersonRefOut.or("null");

export const TenantOut = type({
  id: "string",
  name: "string",
  kind: "'msp' | 'client' | 'individual'",
  parent_id: "string | null",
  currency: "string",
  tax_rate_bps: "number.integer",
  region: "string",
});

export const ProductOut = type({
  id: "string",
  sku: "string",
  name: "string",
  description: "string",
  product_class: "'service' | 'license' | 'hardware' | 'labor' | 'bundle'",
  billing: "'one_time' | 'monthly' | 'yearly'",
  unit: "string",
  taxable: "boolean",
  active: "boolean",
  prices: type({ currency: "string", unit_price: Money, label: "string" }).array(),
});

export const ContactOut = type({
  id: "string",
  tenant_id: "string",
  name: "string",
  email: "string",
  title: "string",
  phone: "string",
  is_primary: "boolean",
});

const Stage = type.enumerated(...DEAL_STAGES);

export const DealOut = type({
  id: "string",
  tenant: TenantRef,
  name: "string",
  stage: Stage,
  probability_pct: "number.integer",
  expected_close_date: IsoOrNull,
  primary_contact: PersonOrNull,
  owner: PersonOrNull,
  currency: "string",
  notes: "string",
  closed_at: IsoOrNull,
  close_reason: "string | null",
  created_at: Iso,
  updated_at: Iso,
});

export const QuoteStatusOut = type("'draft' | 'sent' | 'accepted' | 'declined' | 'expired' | 'superseded' | 'void'");

export const QuoteSummaryOut = type({
  id: "string",
  reference: "string",
  status: QuoteStatusOut,
  tenant: TenantRef,
  title: "string",
  deal_id: "string | null",
  valid_until: Iso,
  recurring_monthly_subtotal: Money,
  one_time_subtotal: Money,
  tax: Money,
  first_invoice_total: Money,
  created_at: Iso,
});

export const LineOut = type({
  line_no: "number.integer",
  product_id: "string | null",
  sku: "string",
  description: "string",
  unit: "string",
  billing: "'one_time' | 'monthly' | 'yearly'",
  quantity: "number.integer",
  unit_price: Money,
  discount_bps: "number.integer",
  taxable: "boolean",
  line_total: Money,
});

const BucketOut = type({ subtotal: Money, tax: Money, total: Money });

export const TotalsOut = type({
  currency: "string",
  tax_rate_bps: "number.integer",
  one_time: BucketOut,
  recurring_monthly: BucketOut,
  recurring_annual: BucketOut,
  discount: Money,
  tax: Money,
  /** One-time + first month + first year of yearly lines, tax included. */
  first_invoice_total: Money,
});

export const QuoteOut = type({
  id: "string",
  reference: "string",
  quote_number: "string",
  version: "number.integer",
  status: QuoteStatusOut,
  tenant: TenantRef,
  title: "string",
  deal_id: "string | null",
  contact: PersonOrNull,
  currency: "string",
  valid_until: Iso,
  notes: "string",
  supersedes_id: "string | null",
  versions: type({ id: "string", version: "number.integer", status: QuoteStatusOut }).array(),
  lines: LineOut.array(),
  totals: TotalsOut,
  sent_at: IsoOrNull,
  decided_at: IsoOrNull,
  decision_reason: "string | null",
  created_at: Iso,
  updated_at: Iso,
});

/** What create/revise previews propose and price_quote returns: the quote as it would be stored. */
export const ProposalOut = type({
  tenant: type({ id: "string", name: "string", currency: "string", tax_rate_bps: "number.integer" }),
  title: "string",
  deal_id: "string | null",
  contact: PersonOrNull,
  valid_until: "string | null",
  lines: LineOut.array(),
  recurring_monthly_total: Money,
  one_time_total: Money,
  tax: Money,
  total: Money,
  totals: TotalsOut,
});

export function money(amountMinor: number, currency: string): Money {
  return { amount_minor: amountMinor, currency, formatted: formatMoney(amountMinor, currency) };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

function billingOf(
  billingType: "one_time" | "recurring",
  period: "month" | "year" | null,
): "one_time" | "monthly" | "yearly" {
  return billingType === "one_time" ? "one_time" : period === "year" ? "yearly" : "monthly";
}

const PER: Record<"one_time" | "monthly" | "yearly", string> = {
  one_time: "one-time",
  monthly: "per month",
  yearly: "per year",
};

export function presentTenant(t: TenantRow): typeof TenantOut.infer {
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    parent_id: t.parentId,
    currency: t.currency,
    tax_rate_bps: t.taxRateBps,
    region: t.region,
  };
}

export function presentProduct({ product: p, prices }: ProductWithPrices): typeof ProductOut.infer {
  const billing = billingOf(p.billingType, p.billingPeriod);
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    product_class: p.productClass,
    billing,
    unit: p.unit,
    taxable: p.taxable,
    active: p.active,
    prices: prices.map((pr) => ({
      currency: pr.currency,
      unit_price: money(pr.unitPriceMinor, pr.currency),
      label: `${formatMoney(pr.unitPriceMinor, pr.currency)} per ${p.unit}${billing === "one_time" ? ", one-time" : ` ${PER[billing]}`}`,
    })),
  };
}

export function presentContact(c: ContactRow): typeof ContactOut.infer {
  return {
    id: c.id,
    tenant_id: c.tenantId,
    name: c.name,
    email: c.email,
    title: c.title,
    phone: c.phone,
    is_primary: c.isPrimary,
  };
}

export function presentDeal(d: DealRow, tenantName: string, people: DealPeople): typeof DealOut.infer {
  return {
    id: d.id,
    tenant: { id: d.tenantId, name: tenantName },
    name: d.name,
    stage: d.stage,
    probability_pct: d.probabilityPct,
    expected_close_date: d.expectedCloseDate,
    primary_contact: people.primaryContact,
    owner: people.owner,
    currency: d.currency,
    notes: d.notes,
    closed_at: isoOrNull(d.closedAt),
    close_reason: d.closeReason,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  };
}

export function reference(q: Pick<QuoteRow, "quoteNumber" | "version">): string {
  return `${q.quoteNumber} v${q.version}`;
}

export function presentQuoteSummary(
  q: QuoteRow,
  status: QuoteStatus,
  tenantName: string,
): typeof QuoteSummaryOut.infer {
  return {
    id: q.id,
    reference: reference(q),
    status,
    tenant: { id: q.tenantId, name: tenantName },
    title: q.title,
    deal_id: q.dealId,
    valid_until: iso(q.validUntil),
    recurring_monthly_subtotal: money(q.recurringMonthlySubtotalMinor, q.currency),
    one_time_subtotal: money(q.oneTimeSubtotalMinor, q.currency),
    tax: money(q.taxMinor, q.currency),
    first_invoice_total: money(q.totalMinor, q.currency),
    created_at: iso(q.createdAt),
  };
}

export function presentLines(pricing: QuotePricing): (typeof LineOut.infer)[] {
  const c = pricing.currency;
  return pricing.lines.map((l) => ({
    line_no: l.lineNo,
    product_id: l.productId,
    sku: l.sku,
    description: l.description,
    unit: l.unit,
    billing: billingOf(l.billingType, l.billingPeriod),
    quantity: l.quantity,
    unit_price: money(l.unitPriceMinor, c),
    discount_bps: l.discountBps,
    taxable: l.taxable,
    line_total: money(l.lineTotalMinor, c),
  }));
}

export function presentTotals(p: QuotePricing): typeof TotalsOut.infer {
  const c = p.currency;
  const bucket = (b: QuotePricing["oneTime"]) => ({
    subtotal: money(b.subtotalMinor, c),
    tax: money(b.taxMinor, c),
    total: money(b.totalMinor, c),
  });
  return {
    currency: c,
    tax_rate_bps: p.taxRateBps,
    one_time: bucket(p.oneTime),
    recurring_monthly: bucket(p.recurringMonthly),
    recurring_annual: bucket(p.recurringAnnual),
    discount: money(p.discountMinor, c),
    tax: money(p.taxMinor, c),
    first_invoice_total: money(p.totalMinor, c),
  };
}

export function presentQuote(d: QuoteDetail): typeof QuoteOut.infer {
  const q = d.quote;
  return {
    id: q.id,
    reference: reference(q),
    quote_number: q.quoteNumber,
    version: q.version,
    status: d.status,
    tenant: { id: d.tenant.id, name: d.tenant.name },
    title: q.title,
    deal_id: q.dealId,
    contact: d.contact,
    currency: q.currency,
    valid_until: iso(q.validUntil),
    notes: q.notes,
    supersedes_id: q.supersedesId,
    versions: d.versions,
    lines: presentLines(d.pricing),
    totals: presentTotals(d.pricing),
    sent_at: isoOrNull(q.sentAt),
    decided_at: isoOrNull(q.decidedAt),
    decision_reason: q.decisionReason,
    created_at: iso(q.createdAt),
    updated_at: iso(q.updatedAt),
  };
}

export function presentPricing(
  tenant: TenantRow,
  pricing: QuotePricing,
  extra: { title: string; dealId: string | null; contact: PersonRef | null; validUntil: number | null },
): typeof ProposalOut.infer {
  const c = pricing.currency;
  return {
    tenant: { id: tenant.id, name: tenant.name, currency: tenant.currency, tax_rate_bps: pricing.taxRateBps },
    title: extra.title,
    deal_id: extra.dealId,
    contact: extra.contact,
    valid_until: extra.validUntil === null ? null : iso(extra.validUntil),
    lines: presentLines(pricing),
    recurring_monthly_total: money(pricing.recurringMonthly.totalMinor, c),
    one_time_total: money(pricing.oneTime.totalMinor, c),
    tax: money(pricing.taxMinor, c),
    total: money(pricing.totalMinor, c),
    totals: presentTotals(pricing),
  };
}

export function presentProposal(p: QuoteProposal): typeof ProposalOut.infer {
  return presentPricing(p.tenant, p.pricing, {
    title: p.title,
    dealId: p.dealId,
    contact: p.contact,
    validUntil: p.validUntil,
  });
}

function pct(bps: number): string {
  return `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : 2)}%`;
}

/** One line per quote line plus the totals, in words: what a person approving the call reads. */
export function describePricing(tenant: TenantRow, pricing: QuotePricing): string {
  const c = pricing.currency;
  const f = (n: number) => formatMoney(n, c);
  const lines = pricing.lines.map((l) => {
    const billing = billingOf(l.billingType, l.billingPeriod);
    const disc = l.discountBps > 0 ? ` less ${pct(l.discountBps)}` : "";
    return (
      `${l.quantity} × ${l.description} (${l.sku}) at ${f(l.unitPriceMinor)} per ` +
      `${l.unit}${billing === "one_time" ? " one-time" : ` ${PER[billing]}`}${disc} = ` +
      `${f(l.lineTotalMinor)}`
    );
  });
  const parts = [
    `Customer: ${tenant.name} [${tenant.id}], billed in ${c}.`,
    `Lines: ${lines.join("; ")}.`,
    `Recurring monthly total: ${f(pricing.recurringMonthly.subtotalMinor)} + tax ` +
      `${f(pricing.recurringMonthly.taxMinor)} = ${f(pricing.recurringMonthly.totalMinor)} per month.`,
  ];
  if (pricing.recurringAnnual.subtotalMinor > 0) {
    parts.push(
      `Recurring yearly total: ${f(pricing.recurringAnnual.subtotalMinor)} + tax ` +
        `${f(pricing.recurringAnnual.taxMinor)} = ${f(pricing.recurringAnnual.totalMinor)} per year.`,
    );
  }
  parts.push(
    `One-time total: ${f(pricing.oneTime.subtotalMinor)} + tax ${f(pricing.oneTime.taxMinor)} = ${f(pricing.oneTime.totalMinor)}.`,
  );
  parts.push(
    `Tax (${pct(pricing.taxRateBps)}): ${f(pricing.taxMinor)}. First invoice total: ${f(pricing.totalMinor)}.`,
  );
  return parts.join(" ");
}
