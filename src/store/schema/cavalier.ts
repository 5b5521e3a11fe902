import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenantIdColumn } from "./tenancy";

/**
 * Cavalier: catalog, contacts, deals, quotes. Every row carries tenant_id; the data-access layer
 * (src/surfaces/cavalier/catalog.ts, contacts.ts, deals.ts, quotes.ts) filters every query through a TenantScope.
 *
 * Money is integer minor units (cents, pence) next to an ISO 4217 currency, as Stripe's `unit_amount`;
 * rates are basis points. Timestamps are epoch milliseconds.
 *
 * Catalog rows (products, product_prices) are owned by an MSP tenant and shared with its client tenants:
 * see catalogOwnerIds() in the cavalier service for the one statement of that rule.
 */

export const BILLING_TYPES = ["one_time", "recurring"] as const;
export const BILLING_PERIODS = ["month", "year"] as const;
export const PRODUCT_CLASSES = ["service", "license", "hardware", "labor", "bundle"] as const;
export const PRODUCT_UNITS = ["user", "seat", "device", "hour", "each", "site"] as const;
export const DEAL_STAGES = ["lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost"] as const;
/** Stored quote states. `expired` is also derived at read time from valid_until (see effectiveQuoteStatus). */
export const QUOTE_STATUSES = ["draft", "sent", "accepted", "declined", "expired", "superseded", "void"] as const;

export const products = sqliteTable(
  "cavalier_products",
  {
    id: text("id").primaryKey(),
    /** The MSP that sells it. */
    tenantId: tenantIdColumn(),
    sku: text("sku").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    productClass: text("product_class", { enum: PRODUCT_CLASSES }).notNull(),
    billingType: text("billing_type", { enum: BILLING_TYPES }).notNull(),
    /** Null for one-time products. */
    billingPeriod: text("billing_period", { enum: BILLING_PERIODS }),
    unit: text("unit", { enum: PRODUCT_UNITS }).notNull(),
    taxable: integer("taxable", { mode: "boolean" }).notNull().default(true),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("cavalier_products_sku_uq").on(t.tenantId, t.sku)],
);

/** One price per product and currency (a multi-currency price list, like ConnectWise/Autotask). */
export const productPrices = sqliteTable(
  "cavalier_product_prices",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    currency: text("currency").notNull(),
    unitPriceMinor: integer("unit_price_minor").notNull(),
    unitCostMinor: integer("unit_cost_minor").notNull().default(0),
  },
  (t) => [uniqueIndex("cavalier_product_prices_uq").on(t.productId, t.currency)],
);

export const contacts = sqliteTable(
  "cavalier_contacts",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    title: text("title").notNull().default(""),
    phone: text("phone").notNull().default(""),
    isPrimary: integer("is_primary", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("cavalier_contacts_tenant_idx").on(t.tenantId, t.name)],
);

export const deals = sqliteTable(
  "cavalier_deals",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    stage: text("stage", { enum: DEAL_STAGES }).notNull(),
    probabilityPct: integer("probability_pct").notNull(),
    /** ISO date (YYYY-MM-DD) or null. */
    expectedCloseDate: text("expected_close_date"),
    ownerUserId: text("owner_user_id"),
    primaryContactId: text("primary_contact_id").references(() => contacts.id),
    currency: text("currency").notNull(),
    notes: text("notes").notNull().default(""),
    closedAt: integer("closed_at"),
    closeReason: text("close_reason"),
    idempotencyKey: text("idempotency_key"),
    /** sha256 of the normalized create request, to tell a retry from a conflicting reuse of the key. */
    requestHash: text("request_hash"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("cavalier_deals_tenant_idx").on(t.tenantId, t.createdAt),
    uniqueIndex("cavalier_deals_idem_uq").on(t.tenantId, t.idempotencyKey),
  ],
);

export const quotes = sqliteTable(
  "cavalier_quotes",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    dealId: text("deal_id").references(() => deals.id),
    contactId: text("contact_id").references(() => contacts.id),
    /** Human reference shared by every version, e.g. Q-2026-0042. */
    quoteNumber: text("quote_number").notNull(),
    version: integer("version").notNull(),
    supersedesId: text("supersedes_id"),
    status: text("status", { enum: QUOTE_STATUSES }).notNull(),
    title: text("title").notNull(),
    currency: text("currency").notNull(),
    /** Tax rate applied (snapshot of the tenant's tax_rate_bps when priced). */
    taxRateBps: integer("tax_rate_bps").notNull(),
    validUntil: integer("valid_until").notNull(),
    notes: text("notes").notNull().default(""),
    oneTimeSubtotalMinor: integer("one_time_subtotal_minor").notNull(),
    recurringMonthlySubtotalMinor: integer("recurring_monthly_subtotal_minor").notNull(),
    recurringAnnualSubtotalMinor: integer("recurring_annual_subtotal_minor").notNull(),
    discountMinor: integer("discount_minor").notNull(),
    taxMinor: integer("tax_minor").notNull(),
    /** One-time + first month + first year of annual items, tax included: what the first invoice would be. */
    totalMinor: integer("total_minor").notNull(),
    sentAt: integer("sent_at"),
    decidedAt: integer("decided_at"),
    decisionReason: text("decision_reason"),
    decidedByContactId: text("decided_by_contact_id"),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("cavalier_quotes_tenant_idx").on(t.tenantId, t.createdAt),
    index("cavalier_quotes_deal_idx").on(t.dealId),
    uniqueIndex("cavalier_quotes_number_uq").on(t.tenantId, t.quoteNumber, t.version),
    uniqueIndex("cavalier_quotes_idem_uq").on(t.tenantId, t.idempotencyKey),
  ],
);

export const quoteLines = sqliteTable(
  "cavalier_quote_lines",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    quoteId: text("quote_id")
      .notNull()
      .references(() => quotes.id),
    lineNo: integer("line_no").notNull(),
    productId: text("product_id").references(() => products.id),
    /** Snapshots, so a later catalog change never rewrites an issued quote. */
    sku: text("sku").notNull(),
    description: text("description").notNull(),
    unit: text("unit").notNull(),
    billingType: text("billing_type", { enum: BILLING_TYPES }).notNull(),
    billingPeriod: text("billing_period", { enum: BILLING_PERIODS }),
    quantity: integer("quantity").notNull(),
    unitPriceMinor: integer("unit_price_minor").notNull(),
    discountBps: integer("discount_bps").notNull().default(0),
    taxable: integer("taxable", { mode: "boolean" }).notNull(),
    lineTotalMinor: integer("line_total_minor").notNull(),
  },
  (t) => [uniqueIndex("cavalier_quote_lines_uq").on(t.quoteId, t.lineNo)],
);
