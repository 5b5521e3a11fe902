import type { Actor } from "../kit/domain";
import { and, eq } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { quoteLines, quotes } from "../../store/schema/cavalier";
import type { TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";
import { DEFAULT_VALID_DAYS, PricingError, validUntilFrom, type QuotePricing, type QuoteStatus } from "./pricing";
import { assertQuotable, assertSeller, price, pricingLinesFor, resolveTenant, type QuoteLineInput } from "./catalog";
import { contactOfTenant } from "./contacts";
import { getDealRow } from "./deals";
import { idempotencyConflict, requestHash, type QuoteLineRow, type QuoteRow, type TenantRow } from "./model";
import type { PersonRef } from "./people";
import { defaultQuoteTitle, revisedQuoteTitle } from "./quote-title";
import { detailOf, nextQuoteNumber, pricingLineOf, quoteRowById, type QuoteDetail } from "./quotes";

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
  contact: PersonRef | null;
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

/** What a repeated request (same idempotency key, same request) proposes: the quote it stored the first time. */
function replayedProposal(
  existing: QuoteRow,
  detail: QuoteDetail,
  requestHash: string,
): QuoteProposal & { requestHash: string } {
  return {
    tenant: detail.tenant,
    dealId: existing.dealId,
    contactId: existing.contactId,
    contact: detail.contact,
    title: existing.title,
    validUntil: existing.validUntil,
    notes: existing.notes,
    pricing: detail.pricing,
    existing: detail,
    requestHash,
  };
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
    return { ...replayedProposal(existing, await detailOf(db, scope, existing, now), hash), tenant };
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
  const contact = input.contactId ? await contactOfTenant(db, scope, input.contactId, tenant.id) : null;
  const validUntil = validUntilOf(now, input.validDays);
  const pricing = price(tenant, await pricingLinesFor(db, scope, tenant, input.lines));
  const title = input.title?.trim() || dealName || defaultQuoteTitle(pricing.lines, tenant.name);
  return {
    tenant,
    dealId: input.dealId ?? null,
    contactId: input.contactId ?? null,
    contact: contact ? { id: contact.id, name: contact.name } : null,
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
    ...pricingLineOf(l),
    lineTotalMinor: l.lineTotalMinor,
  }));
}

/** When a quote made now for `validDays` expires; a day count out of range is the caller's to correct. */
function validUntilOf(now: number, validDays: number | undefined): number {
  try {
    return validUntilFrom(now, validDays ?? DEFAULT_VALID_DAYS);
  } catch (err) {
    if (err instanceof PricingError) throw new CavalierError("invalid_input", err.message);
    throw err;
  }
}

/** The columns of a new draft quote row from what was proposed; nobody has sent or decided it yet. */
function draftColumns(p: QuoteProposal & { requestHash: string }, idempotencyKey: string, actor: Actor, now: number) {
  return {
    status: "draft" as const,
    title: p.title,
    currency: p.tenant.currency,
    taxRateBps: p.tenant.taxRateBps,
    validUntil: p.validUntil,
    notes: p.notes,
    ...totalsColumns(p.pricing),
    sentAt: null,
    decidedAt: null,
    decisionReason: null,
    decidedByContactId: null,
    idempotencyKey,
    requestHash: p.requestHash,
    createdBy: actor.userId,
    createdAt: now,
    updatedAt: now,
  };
}

async function insertQuote(db: DbLike, row: QuoteRow, pricing: QuotePricing): Promise<void> {
  await db.insert(quotes).values(row);
  await db.insert(quoteLines).values(lineRows(row.id, row.tenantId, pricing));
}

/** The stored totals of a priced quote (also used by the demo seed). */
export function totalsColumns(pricing: QuotePricing) {
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
    ...draftColumns(proposal, input.idempotencyKey, actor, now),
  };
  await insertQuote(db, row, proposal.pricing);
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
    return { ...replayedProposal(existing, detail, hash), source, version: existing.version };
  }
  if (!REVISABLE.includes(source.status)) {
    throw new CavalierError(
      "invalid_state_transition",
      `${source.quote.quoteNumber} v${source.quote.version} is ${source.status}; only draft, sent or ` +
        `expired quotes can be ` +
        `revised${source.status === "superseded" ? ` (revise the newest version, ${source.versions.at(-1)?.id})` : ""}`,
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
  const validUntil = validUntilOf(now, input.validDays);
  const version = Math.max(...source.versions.map((v) => v.version)) + 1;
  return {
    source,
    version,
    tenant,
    dealId: source.quote.dealId,
    contactId: source.quote.contactId,
    contact: source.contact,
    // An explicit title is the user's; a kept one has its quantities follow the new lines (quote-title.ts).
    title:
      input.title?.trim() || revisedQuoteTitle(source.quote.title, source.pricing.lines, pricing.lines, tenant.name),
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
    ...draftColumns(plan, input.idempotencyKey, actor, now),
  };
  await insertQuote(db, row, plan.pricing);
  return { detail: await detailOf(db, scope, row, now), supersededId: src.id, replayed: false };
}
