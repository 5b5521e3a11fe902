import type { DbLike } from "../store/index";
import { contacts, deals, productPrices, products, quoteLines, quotes } from "../store/schema/cavalier";
import { DAY_MS, priceQuote, type PricingLine } from "../surfaces/cavalier/pricing";
import { STAGE_PROBABILITY } from "../surfaces/cavalier/deals";
import type { DealStage } from "../surfaces/cavalier/model";
import { lineRows, totalsColumns } from "../surfaces/cavalier/quote-drafts";
import { userIdForEmail } from "../tenancy/sync";

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

/** Illustrative prices in minor units (integer cents, as src/surfaces/cavalier/pricing.ts computes with them). */
export const DEMO_PRODUCTS: readonly ProductSeed[] = [
  {
    sku: "OPS-PRO-SEAT",
    name: "Operations Pro",
    description: "Managed IT per user: 24/7 helpdesk, patching, M365 administration, EDR and backup included",
    productClass: "service",
    billing: "month",
    unit: "seat",
    usd: 6500,
    gbp: 5200,
    costUsd: 3800,
  },
  {
    sku: "OPS-ESS-SEAT",
    name: "Operations Essentials",
    description: "Managed IT per user: business-hours helpdesk, patching and monitoring",
    productClass: "service",
    billing: "month",
    unit: "seat",
    usd: 3900,
    gbp: 3100,
    costUsd: 2200,
  },
  {
    sku: "SEC-EDR-DEV",
    name: "Managed EDR",
    description: "Endpoint detection and response with 24/7 SOC triage, per device",
    productClass: "service",
    billing: "month",
    unit: "device",
    usd: 850,
    gbp: 700,
    costUsd: 420,
  },
  {
    sku: "SEC-ITDR-USER",
    name: "M365 Identity Threat Detection",
    description: "Identity threat detection and response for Microsoft 365 sign-ins and inbox rules",
    productClass: "service",
    billing: "month",
    unit: "user",
    usd: 400,
    gbp: 325,
    costUsd: 180,
  },
  {
    sku: "BKP-M365-USER",
    name: "Microsoft 365 Backup",
    description: "Daily backup of Exchange, OneDrive, SharePoint and Teams, 1-year retention",
    productClass: "service",
    billing: "month",
    unit: "user",
    usd: 350,
    gbp: 300,
    costUsd: 150,
  },
  {
    sku: "SEC-AWARE",
    name: "Security Awareness Training",
    description: "Phishing simulations and annual training, billed yearly per user",
    productClass: "service",
    billing: "year",
    unit: "user",
    usd: 2400,
    gbp: 1900,
    costUsd: 900,
  },
  {
    sku: "ONB-FEE",
    name: "Onboarding and CIS L1 hardening",
    description: "One-time onboarding: documentation, M365 CIS Level 1 baseline, agent rollout",
    productClass: "service",
    billing: "one_time",
    unit: "each",
    usd: 150000,
    gbp: 120000,
    costUsd: 60000,
  },
  {
    sku: "LAB-HOUR",
    name: "Project labour",
    description: "Engineer time for projects outside the managed scope, per hour",
    productClass: "labor",
    billing: "one_time",
    unit: "hour",
    usd: 15000,
    gbp: 12000,
    costUsd: 7000,
    taxable: false,
  },
  {
    sku: "HW-FW-200",
    name: "Firewall appliance FW-200",
    description: "Next-generation firewall for sites up to 200 users, 3-year hardware warranty",
    productClass: "hardware",
    billing: "one_time",
    unit: "each",
    usd: 89900,
    gbp: 74900,
    costUsd: 61000,
  },
  {
    sku: "SVC-FW-MGMT",
    name: "Managed firewall",
    description: "Firewall monitoring, firmware updates and rule changes, per appliance",
    productClass: "service",
    billing: "month",
    unit: "device",
    usd: 4500,
    gbp: 3600,
    costUsd: 1500,
  },
  {
    sku: "LEGACY-AV",
    name: "Legacy antivirus (retired)",
    description: "Replaced by Managed EDR; kept for old quotes",
    productClass: "service",
    billing: "month",
    unit: "device",
    usd: 300,
    gbp: 250,
    costUsd: 200,
    active: false,
  },
];

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

const CONTACTS = [
  {
    id: "ctc_demo_contoso_chen",
    tenantId: DEMO_CLIENTS.contoso,
    name: "Dr. Maya Chen",
    email: "maya.chen@contosocare.example",
    title: "Practice Director",
    phone: "+1 206 555 0141",
    isPrimary: true,
  },
  {
    id: "ctc_demo_contoso_ortega",
    tenantId: DEMO_CLIENTS.contoso,
    name: "Luis Ortega",
    email: "luis.ortega@contosocare.example",
    title: "Office Manager",
    phone: "+1 206 555 0142",
    isPrimary: false,
  },
  {
    id: "ctc_demo_fabrikam_kim",
    tenantId: DEMO_CLIENTS.fabrikam,
    name: "Rachel Kim",
    email: "rachel.kim@fabrikam-law.example",
    title: "Managing Partner",
    phone: "+1 415 555 0110",
    isPrimary: true,
  },
  {
    id: "ctc_demo_fabrikam_becker",
    tenantId: DEMO_CLIENTS.fabrikam,
    name: "Tom Becker",
    email: "tom.becker@fabrikam-law.example",
    title: "IT Liaison",
    phone: "+1 415 555 0117",
    isPrimary: false,
  },
  {
    id: "ctc_demo_tailspin_hughes",
    tenantId: DEMO_CLIENTS.tailspin,
    name: "Oliver Hughes",
    email: "oliver.hughes@tailspin-logistics.example",
    title: "Operations Director",
    phone: "+44 161 496 0301",
    isPrimary: true,
  },
  {
    id: "ctc_demo_tailspin_shah",
    tenantId: DEMO_CLIENTS.tailspin,
    name: "Priya Shah",
    email: "priya.shah@tailspin-logistics.example",
    title: "Finance Manager",
    phone: "+44 161 496 0308",
    isPrimary: false,
  },
] as const;

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

const DEALS: readonly DealSeed[] = [
  {
    id: "dl_demo_contoso_opspro",
    tenantId: DEMO_CLIENTS.contoso,
    name: "Operations Pro rollout",
    stage: "proposal",
    contactId: "ctc_demo_contoso_chen",
    createdDaysAgo: 75,
    closeInDays: 21,
    notes: "3 sites, 42 users; EHR vendor needs remote access kept working during rollout.",
  },
  {
    id: "dl_demo_contoso_aware",
    tenantId: DEMO_CLIENTS.contoso,
    name: "Security awareness programme",
    stage: "lead",
    contactId: "ctc_demo_contoso_ortega",
    createdDaysAgo: 6,
    closeInDays: 60,
  },
  {
    id: "dl_demo_fabrikam_secuplift",
    tenantId: DEMO_CLIENTS.fabrikam,
    name: "Security uplift (EDR + ITDR)",
    stage: "qualified",
    contactId: "ctc_demo_fabrikam_kim",
    createdDaysAgo: 20,
    closeInDays: 30,
  },
  {
    id: "dl_demo_fabrikam_afterhours",
    tenantId: DEMO_CLIENTS.fabrikam,
    name: "After-hours trial support block",
    stage: "negotiation",
    contactId: "ctc_demo_fabrikam_becker",
    createdDaysAgo: 14,
    closeInDays: 10,
  },
  {
    id: "dl_demo_fabrikam_backup",
    tenantId: DEMO_CLIENTS.fabrikam,
    name: "Microsoft 365 backup add-on",
    stage: "closed_lost",
    contactId: "ctc_demo_fabrikam_kim",
    createdDaysAgo: 120,
    closeInDays: null,
    closedDaysAgo: 88,
    closeReason: "budget — revisit Q3",
  },
  {
    id: "dl_demo_tailspin_firewall",
    tenantId: DEMO_CLIENTS.tailspin,
    name: "Firewall refresh",
    stage: "closed_won",
    contactId: "ctc_demo_tailspin_hughes",
    createdDaysAgo: 60,
    closeInDays: null,
    closedDaysAgo: 35,
    closeReason: "Q-0041 v2 accepted",
  },
  {
    id: "dl_demo_tailspin_kiosks",
    tenantId: DEMO_CLIENTS.tailspin,
    name: "Warehouse kiosk management",
    stage: "lead",
    contactId: "ctc_demo_tailspin_shah",
    createdDaysAgo: 40,
    closeInDays: 90,
    notes: "12 kiosks; scope moved to next financial year.",
  },
];

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

/** Quotes in every state: draft, sent, accepted, declined, superseded, void, and one that reads as expired. */
const QUOTES: readonly QuoteSeed[] = [
  // Sent 45 days ago, valid 30 days: reads as expired (expiry follows valid_until).
  {
    id: "q_demo_0039_v1",
    tenantId: DEMO_CLIENTS.contoso,
    dealId: "dl_demo_contoso_opspro",
    contactId: "ctc_demo_contoso_chen",
    seq: 39,
    version: 1,
    status: "sent",
    title: "Operations Pro rollout — 42 seats",
    createdDaysAgo: 46,
    sentDaysAgo: 45,
    validDays: 30,
    lines: [
      { sku: "OPS-PRO-SEAT", quantity: 42 },
      { sku: "ONB-FEE", quantity: 1 },
    ],
  },
  {
    id: "q_demo_0042_v1",
    tenantId: DEMO_CLIENTS.fabrikam,
    dealId: "dl_demo_fabrikam_secuplift",
    contactId: "ctc_demo_fabrikam_kim",
    seq: 42,
    version: 1,
    status: "draft",
    title: "Security uplift: Managed EDR and identity threat detection",
    createdDaysAgo: 3,
    validDays: 30,
    lines: [
      { sku: "SEC-EDR-DEV", quantity: 24, discountBps: 1000 },
      { sku: "SEC-ITDR-USER", quantity: 18 },
    ],
  },
  {
    id: "q_demo_0044_v1",
    tenantId: DEMO_CLIENTS.fabrikam,
    dealId: "dl_demo_fabrikam_afterhours",
    contactId: "ctc_demo_fabrikam_becker",
    seq: 44,
    version: 1,
    status: "sent",
    title: "After-hours support block (20 hours)",
    createdDaysAgo: 5,
    sentDaysAgo: 4,
    validDays: 30,
    lines: [{ sku: "LAB-HOUR", quantity: 20 }],
  },
  {
    id: "q_demo_0031_v1",
    tenantId: DEMO_CLIENTS.fabrikam,
    dealId: "dl_demo_fabrikam_backup",
    contactId: "ctc_demo_fabrikam_kim",
    seq: 31,
    version: 1,
    status: "declined",
    title: "Microsoft 365 backup for 18 users",
    createdDaysAgo: 110,
    sentDaysAgo: 108,
    decidedDaysAgo: 88,
    decisionReason: "budget — revisit Q3",
    validDays: 30,
    lines: [{ sku: "BKP-M365-USER", quantity: 18 }],
  },
  {
    id: "q_demo_0041_v1",
    tenantId: DEMO_CLIENTS.tailspin,
    dealId: "dl_demo_tailspin_firewall",
    contactId: "ctc_demo_tailspin_hughes",
    seq: 41,
    version: 1,
    status: "superseded",
    title: "Firewall refresh and managed seats",
    createdDaysAgo: 55,
    sentDaysAgo: 54,
    validDays: 30,
    lines: [
      { sku: "HW-FW-200", quantity: 2 },
      { sku: "SVC-FW-MGMT", quantity: 2 },
      { sku: "OPS-ESS-SEAT", quantity: 65 },
    ],
  },
  {
    id: "q_demo_0041_v2",
    tenantId: DEMO_CLIENTS.tailspin,
    dealId: "dl_demo_tailspin_firewall",
    contactId: "ctc_demo_tailspin_hughes",
    seq: 41,
    version: 2,
    supersedesId: "q_demo_0041_v1",
    status: "accepted",
    title: "Firewall refresh and managed seats (single site)",
    createdDaysAgo: 40,
    sentDaysAgo: 39,
    decidedDaysAgo: 35,
    decisionReason: "Approved by Oliver Hughes; PO 55120",
    validDays: 30,
    lines: [
      { sku: "HW-FW-200", quantity: 1 },
      { sku: "SVC-FW-MGMT", quantity: 1 },
      { sku: "OPS-ESS-SEAT", quantity: 65 },
    ],
  },
  {
    id: "q_demo_0045_v1",
    tenantId: DEMO_CLIENTS.tailspin,
    dealId: "dl_demo_tailspin_kiosks",
    contactId: "ctc_demo_tailspin_shah",
    seq: 45,
    version: 1,
    status: "void",
    title: "Kiosk management for 12 devices",
    createdDaysAgo: 30,
    decidedDaysAgo: 28,
    decisionReason: "Scope moved to next financial year; quote withdrawn",
    validDays: 30,
    lines: [
      { sku: "SEC-EDR-DEV", quantity: 12 },
      { sku: "SVC-FW-MGMT", quantity: 1 },
    ],
  },
];

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
