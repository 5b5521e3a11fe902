import { eq } from "drizzle-orm";
import { newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { aegisControls, aegisFindings, aegisImprovementActions, aegisPostureSnapshots } from "../../store/schema/aegis";
import type { ControlRow, FindingRow } from "./findings";
import { type ComputedPosture, computePosture, type PostureFinding } from "./posture-formula";

/**
 * Recomputes a tenant's posture from its findings and stores it: today's snapshot (one trend point per UTC day, the
 * day's last computation wins) and the tenant's improvement actions (replaced). Called inside the transaction that
 * changed the findings (an import, a suppress, resolve or reopen), so the score never disagrees with the data.
 * The caller has already admitted the tenant through its scope.
 */
export async function refreshPosture(db: DbLike, tenantId: string, now: number): Promise<ComputedPosture> {
  const posture = await computeTenantPosture(db, tenantId, now);
  await storePosture(db, tenantId, posture, now);
  return posture;
}

/** The tenant's posture as of `now`, computed from its findings without storing it. */
export async function computeTenantPosture(db: DbLike, tenantId: string, now: number): Promise<ComputedPosture> {
  const rows = await db
    .select({ f: aegisFindings, c: aegisControls })
    .from(aegisFindings)
    .leftJoin(aegisControls, eq(aegisControls.id, aegisFindings.controlId))
    .where(eq(aegisFindings.tenantId, tenantId));
  return computePosture(
    rows.map(({ f, c }) => postureFinding(f, c)),
    now,
  );
}

/** A finding row and its control (if any) as the formula reads them. */
export function postureFinding(f: FindingRow, c: ControlRow | null | undefined): PostureFinding {
  return {
    id: f.id,
    title: f.title,
    classUid: f.classUid,
    severityId: f.severityId,
    statusId: f.statusId,
    suppressedUntil: f.suppressedUntil,
    complianceStatusId: f.complianceStatusId,
    source: f.source,
    remediation: f.remediation,
    control: c
      ? {
          id: c.id,
          title: c.title,
          category: c.category,
          maxScore: c.maxScore,
          remediation: c.remediation,
          implementationCost: c.implementationCost,
          userImpact: c.userImpact,
          controlRef: c.controlRef,
        }
      : null,
  };
}

/** Actions kept per tenant: the summary tool shows at most 20; thousands of unmapped findings must not all be stored. */
export const STORED_ACTIONS = 50;

/**
 * Writes a computed posture: today's snapshot (upsert on tenant + UTC day) and the tenant's improvement actions
 * (replaced, the best STORED_ACTIONS). Statements only, so an import can compute outside its write transaction and store inside it.
 */
export async function storePosture(db: DbLike, tenantId: string, posture: ComputedPosture, now: number): Promise<void> {
  const byCategory = JSON.stringify(
    posture.byCategory.map((c) => ({ category: c.category, score: c.score, max_score: c.maxScore })),
  );
  await db
    .insert(aegisPostureSnapshots)
    .values({
      id: newId("pss"),
      tenantId,
      day: new Date(now).toISOString().slice(0, 10),
      capturedAt: now,
      score: posture.score,
      maxScore: posture.maxScore,
      byCategory,
    })
    .onConflictDoUpdate({
      target: [aegisPostureSnapshots.tenantId, aegisPostureSnapshots.day],
      set: { capturedAt: now, score: posture.score, maxScore: posture.maxScore, byCategory },
    });
  await db.delete(aegisImprovementActions).where(eq(aegisImprovementActions.tenantId, tenantId));
  const top = posture.actions.slice(0, STORED_ACTIONS);
  if (top.length > 0)
    await db.insert(aegisImprovementActions).values(
      top.map((a, i) => ({
        id: `iac_${tenantId}_${a.key}`,
        tenantId,
        controlId: a.controlId,
        title: a.title,
        category: a.category,
        actionType: a.actionType,
        service: a.service,
        score: a.score,
        maxScore: a.maxScore,
        implementationCost: a.implementationCost,
        userImpact: a.userImpact,
        tier: a.tier,
        rank: i + 1,
        state: "Default",
        remediation: a.remediation,
      })),
    );
}
