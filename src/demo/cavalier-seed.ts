import type { DbLike } from "../store/index";
import { contacts, deals, productPrices, products, quoteLines, quotes } from "../store/schema/cavalier";
import { DAY_MS, priceQuote, type PricingLine } from "../surfaces/cavalier/pricing";
import type { ContactEntry } from "../surfaces/cavalier/contacts";
import { STAGE_PROBABILITY } from "../surfaces/cavalier/deals";
import type { DealStage } from "../surfaces/cavalier/model";
import { lineRows, totalsColumns } from "../surfaces/cavalier/quote-drafts";
import { userIdForEmail } from "../tenancy/sync";
import dataFile from "./data/cavalier.yaml";

/**
 * Cavalier's share of the demo: Harbor IT Services' catalog (USD and GBP price lists), contacts at its three
 * clients, and deals and quotes in every state. Every id is fixed and every insert is ON CONFLICT DO NOTHING,
 * so running it again changes nothing; dates are relative to `now` so the demo always looks current.
 */

export const DEMO_MSP = "harbor-it";
export const DEMO_CLIENTS = {
  contoso: "contosocare",
  fabrikam: "fabrikam-law",
  tailspin: "tailspin-logistics",
} as const;

type ProductSeed = {
  sku: string;
  name: string;
  description: string;
  productClass: (typeof products.$inferInsert)["productClass"];
  billing: "one_time" | "month" | "year";
  unit: (typeof products.$inferInsert)["unit"];
  usd: number;
  gbp: number;
  costUsd: number;
  taxable?: boolean;
  active?: boolean;
};

/** What a catalog row and a quote line priced from it both say about the product: SKU, unit, billing, tax. */
function catalogTerms(p: ProductSeed) {
  return {
    sku: p.sku,
    unit: p.unit,
    billingType: p.billing === "one_time" ? ("one_time" as const) : ("recurring" as const),
    billingPeriod: p.billing === "one_time" ? null : p.billing,
    taxable: p.taxable ?? true,
  };
}

export function demoProductId(sku: string): string {
  return `prd_demo_${sku.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
}

/** A demo contact: what an import writes, with the fixed id the demo's deals and quotes refer to. */
type ContactSeed = Omit<ContactEntry, "line"> & { id: string };

type DealSeed = {
  id: string;
  tenantId: string;
  name: string;
  stage: DealStage;
  contactId: string;
  createdDaysAgo: number;
  closeInDays: number | null;
  closedDaysAgo?: number;
  closeReason?: string;
  notes?: string;
};

type QuoteSeed = {
  id: string;
  tenantId: string;
  dealId: string;
  contactId: string;
  seq: number;
  version: number;
  supersedesId?: string;
  status: "draft" | "sent" | "accepted" | "declined" | "superseded" | "void";
  title: string;
  createdDaysAgo: number;
  validDays: number;
  sentDaysAgo?: number;
  decidedDaysAgo?: number;
  decisionReason?: string;
  lines: { sku: string; quantity: number; discountBps?: number }[];
};

/**
 * The demo rows as written in data/cavalier.yaml (Bun bundles it at build time). Prices are illustrative, in minor
 * units (integer cents, as src/surfaces/cavalier/pricing.ts computes with them); quotes are in every state: draft,
 * sent, accepted, declined, superseded, void, and one that reads as expired.
 */
const data = dataFile as {
  products: ProductSeed[];
  contacts: ContactSeed[];
  deals: DealSeed[];
  quotes: QuoteSeed[];
};
export const DEMO_PRODUCTS: readonly ProductSeed[] = data.products;
const CONTACTS: readonly ContactSeed[] = data.contacts;
const DEALS: readonly DealSeed[] = data.deals;
const QUOTES: readonly QuoteSeed[] = data.quotes;

/** Inserts the cavalier demo rows that are not there yet. `tenantsById` holds the configured demo tenants. */
export async function seedCavalier(
  db: DbLike,
  now: number,
  tenantsById: ReadonlyMap<string, { currency: string; taxRateBps: number }>,
): Promise<{ products: number; contacts: number; deals: number; quotes: number }> {
  const ago = (days: number) => now - days * DAY_MS;
  const dateIn = (days: number) => new Date(now + days * DAY_MS).toISOString().slice(0, 10);
  const adminId = userIdForEmail("admin@harbor-it.example");
  const techId = userIdForEmail("tech@harbor-it.example");
  const year = new Date(now).getUTCFullYear();

  for (const p of DEMO_PRODUCTS) {
    const id = demoProductId(p.sku);
    await db
      .insert(products)
      .values({
        id,
        tenantId: DEMO_MSP,
        ...catalogTerms(p),
        name: p.name,
        description: p.description,
        productClass: p.productClass,
        active: p.active ?? true,
        createdAt: ago(365),
      })
      .onConflictDoNothing();
    const gbpCost = Math.round((p.costUsd * p.gbp) / p.usd);
    await db
      .insert(productPrices)
      .values([
        {
          id: `${id}_usd`,
          tenantId: DEMO_MSP,
          productId: id,
          currency: "USD",
          unitPriceMinor: p.usd,
          unitCostMinor: p.costUsd,
        },
        {
          id: `${id}_gbp`,
          tenantId: DEMO_MSP,
          productId: id,
          currency: "GBP",
          unitPriceMinor: p.gbp,
          unitCostMinor: gbpCost,
        },
      ])
      .onConflictDoNothing();
  }

  for (const c of CONTACTS)
    await db
      .insert(contacts)
      .values({ ...c, createdAt: ago(180) })
      .onConflictDoNothing();

  for (const d of DEALS) {
    const tenant = tenantsById.get(d.tenantId)!;
    await db
      .insert(deals)
      .values({
        id: d.id,
        tenantId: d.tenantId,
        name: d.name,
        stage: d.stage,
        probabilityPct: STAGE_PROBABILITY[d.stage],
        expectedCloseDate: d.closeInDays === null ? null : dateIn(d.closeInDays),
        ownerUserId: adminId,
        primaryContactId: d.contactId,
        currency: tenant.currency,
        notes: d.notes ?? "",
        closedAt: d.closedDaysAgo === undefined ? null : ago(d.closedDaysAgo),
        closeReason: d.closeReason?.replace(/^Q-/, `Q-${year}-`) ?? null,
        idempotencyKey: null,
        requestHash: null,
        createdBy: adminId,
        createdAt: ago(d.createdDaysAgo),
        updatedAt: ago(d.closedDaysAgo ?? d.createdDaysAgo),
      })
      .onConflictDoNothing();
  }

  for (const q of QUOTES) {
    const tenant = tenantsById.get(q.tenantId)!;
    const lines: PricingLine[] = q.lines.map((l) => {
      const p = DEMO_PRODUCTS.find((x) => x.sku === l.sku)!;
      return {
        ...catalogTerms(p),
        productId: demoProductId(p.sku),
        description: p.name,
        quantity: l.quantity,
        unitPriceMinor: tenant.currency === "GBP" ? p.gbp : p.usd,
        discountBps: l.discountBps ?? 0,
      };
    });
    const pricing = priceQuote({ currency: tenant.currency, taxRateBps: tenant.taxRateBps, lines });
    const created = ago(q.createdDaysAgo);
    const inserted = await db
      .insert(quotes)
      .values({
        id: q.id,
        tenantId: q.tenantId,
        dealId: q.dealId,
        contactId: q.contactId,
        quoteNumber: `Q-${year}-${String(q.seq).padStart(4, "0")}`,
        version: q.version,
        supersedesId: q.supersedesId ?? null,
        status: q.status,
        title: q.title,
        currency: tenant.currency,
        taxRateBps: tenant.taxRateBps,
        validUntil: created + q.validDays * DAY_MS,
        notes: "",
        ...totalsColumns(pricing),
        sentAt: q.sentDaysAgo === undefined ? null : ago(q.sentDaysAgo),
        decidedAt: q.decidedDaysAgo === undefined ? null : ago(q.decidedDaysAgo),
        decisionReason: q.decisionReason ?? null,
        decidedByContactId: q.status === "accepted" || q.status === "declined" ? q.contactId : null,
        idempotencyKey: null,
        requestHash: null,
        createdBy: q.status === "draft" ? techId : adminId,
        createdAt: created,
        updatedAt: ago(q.decidedDaysAgo ?? q.sentDaysAgo ?? q.createdDaysAgo),
      })
      .onConflictDoNothing()
      .returning({ id: quotes.id });
    if (inserted.length === 0) continue;
    await db
      .insert(quoteLines)
      .values(lineRows(q.id, q.tenantId, pricing))
      .onConflictDoNothing();
  }
  return { products: DEMO_PRODUCTS.length, contacts: CONTACTS.length, deals: DEALS.length, quotes: QUOTES.length };
}
