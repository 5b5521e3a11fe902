import type { Actor } from "../kit/domain";
import { and, desc, eq, getTableColumns, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { preparedPerHandle } from "../../store/prepared";
import { deals, quotes } from "../../store/schema/cavalier";
import { tenants } from "../../store/schema/tenancy";
import { TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";
import { decodeCursor } from "../kit/cursor";
import { afterDesc, keysetPage, pageLimit, type Page } from "../kit/page";
import { effectiveQuoteStatus } from "./pricing";
import { assertQuotable, assertSeller, resolveTenant } from "./catalog";
import { contactOfTenant, existsElsewhere } from "./contacts";
import { type DealPeople, dealPeople } from "./people";
import {
  idempotencyConflict,
  requestHash,
  tenantRow,
  type DealRow,
  type DealStage,
  type QuoteRow,
  type TenantRow,
} from "./model";

/** Default win probability per stage (ConnectWise/Autotask keep a probability beside the stage). */
export const STAGE_PROBABILITY: Record<DealStage, number> = {
  lead: 10,
  qualified: 25,
  proposal: 50,
  negotiation: 75,
  closed_won: 100,
  closed_lost: 0,
};

export async function listDeals(
  db: DbLike,
  scope: TenantScope,
  opts: { tenant?: string; stages?: readonly DealStage[]; cursor?: string; limit?: number },
): Promise<Page<{ deal: DealRow; tenantName: string; people: DealPeople }>> {
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
  const page = keysetPage("cavalier.deals", rows, limit, (r) => [r.deal.createdAt, r.deal.id]);
  const people = await dealPeople(
    db,
    scope,
    page.items.map((i) => i.deal),
  );
  return { ...page, items: page.items.map((i) => ({ ...i, people: people.get(i.deal.id)! })) };
}

async function peopleOf(db: DbLike, scope: TenantScope, deal: DealRow): Promise<DealPeople> {
  return (await dealPeople(db, scope, [deal])).get(deal.id)!;
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
  people: DealPeople;
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
    people: await peopleOf(db, scope, deal),
    quotes: qs,
    estMrrMinor: live?.recurringMonthlySubtotalMinor ?? 0,
    estNrcMinor: live?.oneTimeSubtotalMinor ?? 0,
  };
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
// createDeal's idempotency check and insert, built once per database handle (a group transaction's handle serves
// every write of the group) rather than by drizzle's builder on each call.
const dealByIdempotencyKey = preparedPerHandle((db) =>
  db
    .select({ id: deals.id, requestHash: deals.requestHash })
    .from(deals)
    .where(
      and(
        TenantScope.wherePrepared(deals.tenantId, sql.placeholder("scope")),
        eq(deals.tenantId, sql.placeholder("tenant")),
        eq(deals.idempotencyKey, sql.placeholder("key")),
      ),
    )
    .limit(1)
    .prepare(),
);
// Every column of the table, each bound from the row at each run (a column added later is bound too).
const insertDeal = preparedPerHandle((db) =>
  db
    .insert(deals)
    .values(
      Object.fromEntries(Object.keys(getTableColumns(deals)).map((c) => [c, sql.placeholder(c)])) as Record<
        keyof DealRow,
        Placeholder
      >,
    )
    .prepare(),
);

export async function createDeal(
  db: DbLike,
  scope: TenantScope,
  input: CreateDealInput,
  actor: Actor,
  now: number,
): Promise<{ deal: DealRow; tenant: TenantRow; people: DealPeople; replayed: boolean; warnings: string[] }> {
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
  // Only the two columns the check needs: a new key (the usual case) reads no more, and drizzle builds and maps
  // every selected column on each call.
  const [used] = await dealByIdempotencyKey(db).execute({
    scope: scope.boundIds,
    tenant: tenant.id,
    key: input.idempotencyKey,
  });
  if (used) {
    if (used.requestHash !== hash) throw idempotencyConflict("deal", used.id);
    const existing = await getDealRow(db, scope, used.id);
    const people = await peopleOf(db, scope, existing);
    return { deal: existing, tenant, people, replayed: true, warnings: dealWarnings(existing, now) };
  }
  const contact = input.contactId ? await contactOfTenant(db, scope, input.contactId, tenant.id) : null;
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
  await insertDeal(db).execute(row);
  // The people of a new deal are the caller and the contact just checked: no need to read them back.
  const people: DealPeople = {
    owner: { id: actor.userId, name: actor.name },
    primaryContact: contact ? { id: contact.id, name: contact.name } : null,
  };
  return {
    deal: row,
    tenant,
    people,
    replayed: false,
    warnings: dealWarnings(row, now),
  };
}

/**
 * What is accepted but probably wrong about a deal, in words the user can act on. A past expected close date is
 * kept (a deal recorded late, or one that slipped), and said out loud rather than silently stored.
 */
export function dealWarnings(deal: Pick<DealRow, "expectedCloseDate" | "stage">, now: number): string[] {
  const today = new Date(now).toISOString().slice(0, 10);
  const open = deal.stage !== "closed_won" && deal.stage !== "closed_lost";
  if (open && deal.expectedCloseDate !== null && deal.expectedCloseDate < today)
    return [
      `expected_close_date ${deal.expectedCloseDate} is in the past (today is ${today} UTC); the deal was saved ` +
        "with it. Check the date with the user, or close the deal with cavalier_update_deal_stage if it is decided.",
    ];
  return [];
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
  people: DealPeople;
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
  const people = await peopleOf(db, scope, deal);
  if (deal.stage === input.stage) return { deal, tenant, people, previousStage: deal.stage, changed: false };
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
  return { deal: next, tenant, people, previousStage: deal.stage, changed: true };
}

function appendNote(notes: string, line: string, now: number): string {
  const entry = `${new Date(now).toISOString().slice(0, 10)}: ${line}`;
  return notes ? `${notes}\n${entry}` : entry;
}
