import { and, eq, inArray } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { aegisFindingEvents, aegisFindings } from "../../store/schema/aegis";
import { tenants, users } from "../../store/schema/tenancy";
import type { TenantScope } from "../../tenancy/scope";
import type { Actor } from "../kit/domain";
import { effectiveStatusId } from "./effective-status";
import { AegisError } from "./errors";
import {
  type FindingDetail,
  type FindingRow,
  type FindingSummary,
  getFinding,
  loadFinding,
  loadFindingSummary,
} from "./findings";
import { refreshPosture } from "./posture-refresh";
import { CLASS_UIDS, DAY_MS, MAX_SUPPRESSION_DAYS, STATUS, type StatusName, statusCaption } from "./ocsf";

/**
 * The finding workflow: OCSF Finding status_id transitions New -> In Progress -> Suppressed | Resolved, and back
 * to New (https://schema.ocsf.io/1.3.0/classes/compliance_finding, attribute status_id). Each write appends a
 * history row in the same transaction as the status change.
 */

/**
 * One history row of a finding (aegis_finding_events): who moved it from which status to which, and why. The workflow
 * and the findings import both write these; an import run from the CLI has no user id, only the operator's name.
 */
export function findingEvent(
  f: Pick<FindingRow, "id" | "tenantId">,
  actor: { userId: string | null; name: string },
  action: string,
  fromStatusId: number | null,
  toStatusId: number | null,
  comment: string | null,
  now: number,
): typeof aegisFindingEvents.$inferInsert {
  return {
    id: newId("fev"),
    findingId: f.id,
    tenantId: f.tenantId,
    actorUserId: actor.userId,
    actorName: actor.name,
    action,
    fromStatusId,
    toStatusId,
    comment,
    at: now,
  };
}

type FindingChange = Partial<typeof aegisFindings.$inferInsert>;
type HistoryEntry = { action: string; from: number | null; to: number | null; comment: string | null };

/**
 * One transition: the row change, its history entries and the tenant's recomputed posture in one transaction, then
 * the finding as it now reads.
 */
async function applyTransition(
  db: DbLike,
  scope: TenantScope,
  actor: Actor,
  f: FindingRow,
  change: FindingChange,
  history: HistoryEntry[],
  now: number,
): Promise<FindingDetail> {
  await db.transaction(async (tx) => {
    await tx
      .update(aegisFindings)
      .set({ ...change, updatedAt: now })
      .where(and(scope.where(aegisFindings.tenantId), eq(aegisFindings.id, f.id)));
    for (const h of history)
      await tx.insert(aegisFindingEvents).values(findingEvent(f, actor, h.action, h.from, h.to, h.comment, now));
    await refreshPosture(tx, f.tenantId, now);
  });
  return await getFinding(db, scope, f.id, now);
}

/**
 * Who may be assigned a finding: an enabled user of the finding's own tenant, or MSP staff (a user of the MSP that
 * manages that tenant, or of the tenant itself when it is the MSP), and in either case within the caller's scope.
 * A user of another client of the same MSP is refused: assigning would show them a finding of a customer they
 * cannot otherwise see.
 */
/**
 * Loads the finding a transition acts on, with its effective status (a lapsed suppression reads as New), and refuses
 * the transition with the reason `refuse` gives for that status, if it gives one.
 */
async function transitionSource(
  db: DbLike,
  scope: TenantScope,
  findingId: string,
  now: number,
  refuse: (from: number, f: FindingRow) => string | null,
): Promise<{ f: FindingRow; from: number }> {
  const f = await loadFinding(db, scope, findingId);
  const from = effectiveStatusId(f, now);
  const reason = refuse(from, f);
  if (reason !== null) throw new AegisError("invalid_state_transition", reason);
  return { f, from };
}

async function resolveAssignee(
  db: DbLike,
  scope: TenantScope,
  finding: Pick<FindingRow, "tenantId">,
  email: string,
): Promise<{ id: string; name: string }> {
  const [owner] = await db
    .select({ id: tenants.id, parentId: tenants.parentId })
    .from(tenants)
    .where(eq(tenants.id, finding.tenantId))
    .limit(1);
  const eligible = [finding.tenantId, ...(owner?.parentId ? [owner.parentId] : [])];
  const [u] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(
      and(
        scope.where(users.tenantId),
        inArray(users.tenantId, eligible),
        eq(users.email, email.trim().toLowerCase()),
        eq(users.disabled, false),
      ),
    )
    .limit(1);
  if (!u)
    throw new AegisError(
      "ineligible_assignee",
      `assignee_email ${email} cannot be assigned this finding: assign MSP staff or an active user of the finding's own tenant (${finding.tenantId})`,
    );
  return u;
}

export interface AcknowledgeInput {
  findingId: string;
  note: string;
  assigneeEmail?: string;
}

/** New -> In Progress, optionally assigning it; an already in-progress finding just gets the note/assignment. */
export async function acknowledgeFinding(
  db: DbLike,
  scope: TenantScope,
  actor: Actor,
  input: AcknowledgeInput,
  now: number,
): Promise<FindingDetail> {
  const { f, from } = await transitionSource(db, scope, input.findingId, now, (from, f) =>
    from === STATUS.SUPPRESSED || from === STATUS.RESOLVED
      ? `finding ${f.id} is ${statusCaption(from)}; reopen it with aegis_reopen_finding before acknowledging it`
      : null,
  );
  const assignee = input.assigneeEmail ? await resolveAssignee(db, scope, f, input.assigneeEmail) : null;
  const history: HistoryEntry[] = [
    { action: from === STATUS.NEW ? "acknowledged" : "noted", from, to: STATUS.IN_PROGRESS, comment: input.note },
  ];
  if (assignee && assignee.id !== f.assigneeUserId)
    history.push({ action: "assigned", from: null, to: null, comment: `Assigned to ${assignee.name}` });
  const change: FindingChange = {
    statusId: STATUS.IN_PROGRESS,
    assigneeUserId: assignee ? assignee.id : f.assigneeUserId,
    assigneeName: assignee ? assignee.name : f.assigneeName,
    // Acknowledging a finding whose suppression lapsed starts a fresh triage: the old acceptance no longer applies.
    ...(f.statusId === STATUS.SUPPRESSED
      ? { suppressionReason: null, suppressionJustification: null, suppressedUntil: null }
      : {}),
  };
  return await applyTransition(db, scope, actor, f, change, history, now);
}

export type SuppressionReason = "accepted_risk" | "third_party" | "false_positive";

export interface SuppressInput {
  findingId: string;
  reason: SuppressionReason;
  justification: string;
  expiresAt: number;
}

export interface SuppressPlan {
  finding: FindingSummary;
  fromStatus: StatusName;
  toStatus: "Suppressed";
  reason: SuppressionReason;
  justification: string;
  expiresAt: number;
  days: number;
}

/** Validates a suppression without writing: used by both the preview and the handler (pure apart from the read). */
export async function planSuppression(
  db: DbLike,
  scope: TenantScope,
  input: SuppressInput,
  now: number,
): Promise<SuppressPlan> {
  const { f, from } = await transitionSource(db, scope, input.findingId, now, (from, f) =>
    from === STATUS.RESOLVED
      ? `finding ${f.id} is Resolved; there is nothing to suppress (reopen it first if it came back)`
      : null,
  );
  if (input.expiresAt <= now) throw new AegisError("invalid_input", "expires_at must be in the future");
  if (input.expiresAt > now + MAX_SUPPRESSION_DAYS * DAY_MS) {
    throw new AegisError(
      "invalid_input",
      `expires_at may be at most ${MAX_SUPPRESSION_DAYS} days ahead ` +
        `(latest ${new Date(now + MAX_SUPPRESSION_DAYS * DAY_MS).toISOString()}); ` +
        "risk acceptance must be reviewed at least twice a year",
    );
  }
  if (input.justification.trim().length < 10)
    throw new AegisError(
      "invalid_input",
      "justification must explain in at least 10 characters why the risk is accepted or mitigated",
    );
  return {
    finding: await loadFindingSummary(db, scope, f.id, now),
    fromStatus: statusCaption(from),
    toStatus: "Suppressed",
    reason: input.reason,
    justification: input.justification.trim(),
    expiresAt: input.expiresAt,
    days: Math.ceil((input.expiresAt - now) / DAY_MS),
  };
}

export async function suppressFinding(
  db: DbLike,
  scope: TenantScope,
  actor: Actor,
  input: SuppressInput,
  now: number,
): Promise<FindingDetail> {
  const plan = await planSuppression(db, scope, input, now);
  const f = await loadFinding(db, scope, input.findingId);
  const comment = `${input.reason} until ${new Date(plan.expiresAt).toISOString()}: ${plan.justification}`;
  const change: FindingChange = {
    statusId: STATUS.SUPPRESSED,
    suppressionReason: input.reason,
    suppressionJustification: plan.justification,
    suppressedUntil: input.expiresAt,
  };
  const history = [{ action: "suppressed", from: effectiveStatusId(f, now), to: STATUS.SUPPRESSED, comment }];
  return await applyTransition(db, scope, actor, f, change, history, now);
}

export interface ResolveInput {
  findingId: string;
  resolutionNote: string;
  evidence?: string;
}

export interface ResolutionPlan {
  finding: FindingSummary;
  fromStatus: StatusName;
  toStatus: "Resolved";
  resolutionNote: string;
  evidence: string | null;
  note: string;
}

export async function planResolution(
  db: DbLike,
  scope: TenantScope,
  input: ResolveInput,
  now: number,
): Promise<ResolutionPlan> {
  const { f, from } = await transitionSource(db, scope, input.findingId, now, (from, f) =>
    from === STATUS.RESOLVED ? `finding ${f.id} is already Resolved` : null,
  );
  if (input.resolutionNote.trim().length < 10)
    throw new AegisError("invalid_input", "resolution_note must say in at least 10 characters what was changed");
  return {
    finding: await loadFindingSummary(db, scope, f.id, now),
    fromStatus: statusCaption(from),
    toStatus: "Resolved",
    resolutionNote: input.resolutionNote.trim(),
    evidence: input.evidence?.trim() || null,
    note: "If the next scan still sees the condition, the finding is reopened automatically.",
  };
}

export async function resolveFinding(
  db: DbLike,
  scope: TenantScope,
  actor: Actor,
  input: ResolveInput,
  now: number,
): Promise<FindingDetail> {
  const plan = await planResolution(db, scope, input, now);
  const f = await loadFinding(db, scope, input.findingId);
  const comment = plan.evidence ? `${plan.resolutionNote} (evidence: ${plan.evidence})` : plan.resolutionNote;
  const change: FindingChange = {
    statusId: STATUS.RESOLVED,
    resolutionNote: plan.resolutionNote,
    resolutionEvidence: plan.evidence,
    resolvedAt: now,
    // A resolved compliance finding passes its check (OCSF compliance.status_id 1 Pass).
    complianceStatusId: f.classUid === CLASS_UIDS.compliance ? 1 : f.complianceStatusId,
  };
  const history = [{ action: "resolved", from: effectiveStatusId(f, now), to: STATUS.RESOLVED, comment }];
  return await applyTransition(db, scope, actor, f, change, history, now);
}

/** Suppressed or Resolved -> New: the finding goes back to triage; suppression and resolution details are cleared. */
export async function reopenFinding(
  db: DbLike,
  scope: TenantScope,
  actor: Actor,
  input: { findingId: string; reason: string },
  now: number,
): Promise<FindingDetail> {
  // Reopening goes by the stored status: a lapsed suppression (effectively New) may still be reopened.
  const { f } = await transitionSource(db, scope, input.findingId, now, (from, f) =>
    f.statusId !== STATUS.SUPPRESSED && f.statusId !== STATUS.RESOLVED
      ? `finding ${f.id} is ${statusCaption(from)}, not Suppressed or Resolved; there is nothing to reopen`
      : null,
  );
  const change: FindingChange = {
    statusId: STATUS.NEW,
    suppressionReason: null,
    suppressionJustification: null,
    suppressedUntil: null,
    resolutionNote: null,
    resolutionEvidence: null,
    resolvedAt: null,
    // A reopened compliance finding fails its check again (OCSF compliance.status_id 3 Fail).
    complianceStatusId: f.classUid === CLASS_UIDS.compliance ? 3 : f.complianceStatusId,
  };
  const history = [{ action: "reopened", from: f.statusId, to: STATUS.NEW, comment: input.reason }];
  return await applyTransition(db, scope, actor, f, change, history, now);
}
