import { and, eq } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { deals, quotes } from "../../store/schema/cavalier";
import { PolicySection } from "../../config/schema";
import type { TenantScope } from "../../tenancy/scope";
import { CavalierError } from "./errors";
import { effectiveQuoteStatus, type QuoteStatus } from "./pricing";
import { assertSeller } from "./catalog";
import { contactOfTenant } from "./contacts";
import { getDealRow } from "./deals";
import type { DealStage, QuoteRow } from "./model";
import { detailOf, quoteRowById, type QuoteDetail } from "./quotes";

export type QuoteDecision = "accepted" | "declined" | "void";

/** Which effective states each transition may start from : a draft is sent, a sent quote is accepted or declined, anything undecided may be voided. */
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
