import { and, asc, desc, eq, gt, gte, inArray, lte, sql } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { aegisControls, aegisFindings, aegisImprovementActions, aegisPostureSnapshots } from "../../store/schema/aegis";
import type { TenantScope } from "../../tenancy/scope";
import { effectiveStatusSql } from "./effective-status";
import { AegisError } from "./errors";
import { DAY_MS, STATUS, severityCaption } from "./ocsf";
import { computeTenantPosture } from "./posture-refresh";
import { listScopeTenants, resolveTenant } from "./tenants";

/**
 * Secure-Score-style posture: daily snapshots of points earned out of points possible, per category, and the
 * improvement actions that would earn more (Microsoft Secure Score model,
 * https://learn.microsoft.com/en-us/defender-xdr/microsoft-secure-score).
 */

export interface TenantPosture {
  tenantId: string;
  name: string;
  kind: string;
  percent: number | null;
  /** Epoch ms of the latest snapshot; null when the tenant was never scored. */
  asOf: number | null;
  openCriticalHigh: number;
  openTotal: number;
}

export interface CategoryScore {
  category: string;
  score: number;
  maxScore: number;
  percent: number;
}

export interface ImprovementAction {
  id: string;
  title: string;
  category: string;
  service: string;
  actionType: string;
  tier: string;
  score: number;
  maxScore: number;
  pointsAvailable: number;
  implementationCost: string;
  userImpact: string;
  state: string;
  remediation: string;
  controlRef: string | null;
}

export interface SeverityCount {
  severity: string;
  severityId: number;
  count: number;
}

export interface PostureSummary {
  tenantId: string;
  tenantName: string;
  asOf: number;
  score: number;
  maxScore: number;
  percent: number;
  change30dPoints: number | null;
  byCategory: CategoryScore[];
  topImprovementActions: ImprovementAction[];
  openFindingsBySeverity: SeverityCount[];
  openFindingsTotal: number;
  note: string;
}

export interface TrendPoint {
  /** The bucket: a day (YYYY-MM-DD), the Monday of a week, or a month (YYYY-MM). */
  date: string;
  score: number;
  maxScore: number;
  percent: number;
}

export type TrendInterval = "day" | "week" | "month";

export interface PostureTrend {
  tenantId: string;
  tenantName: string;
  interval: TrendInterval;
  from: number;
  to: number;
  points: TrendPoint[];
  startPercent: number | null;
  endPercent: number | null;
  changePoints: number | null;
  minPercent: number | null;
  maxPercent: number | null;
  byCategoryChange: { category: string; startPercent: number; endPercent: number }[];
}

/** A score as a percentage with one decimal. */
function percent(score: number, max: number): number {
  return max > 0 ? Math.round((score / max) * 1000) / 10 : 0;
}

function parseCategories(json: string): CategoryScore[] {
  const raw = JSON.parse(json) as { category: string; score: number; max_score: number }[];
  return raw.map((c) => ({
    category: c.category,
    score: c.score,
    maxScore: c.max_score,
    percent: percent(c.score, c.max_score),
  }));
}

/** Every tenant in scope with its latest score and open-finding counts, worst first (unscored tenants last). */
export async function listTenantPosture(db: DbLike, scope: TenantScope, now: number): Promise<TenantPosture[]> {
  const inScope = await listScopeTenants(db, scope);
  const latest = await db
    .select({
      tenantId: aegisPostureSnapshots.tenantId,
      score: aegisPostureSnapshots.score,
      maxScore: aegisPostureSnapshots.maxScore,
      capturedAt: aegisPostureSnapshots.capturedAt,
    })
    .from(aegisPostureSnapshots)
    .where(
      and(
        scope.where(aegisPostureSnapshots.tenantId),
        sql`${aegisPostureSnapshots.capturedAt} = (SELECT max(s2.captured_at) FROM aegis_posture_snapshots s2
          WHERE s2.tenant_id = ${aegisPostureSnapshots.tenantId} AND s2.captured_at <= ${now})`,
      ),
    );
  const status = effectiveStatusSql(now);
  const open = await db
    .select({
      tenantId: aegisFindings.tenantId,
      total: sql<number>`count(*)`,
      severe: sql<number>`sum(CASE WHEN ${aegisFindings.severityId} >= 4 THEN 1 ELSE 0 END)`,
    })
    .from(aegisFindings)
    .where(and(scope.where(aegisFindings.tenantId), inArray(status, [STATUS.NEW, STATUS.IN_PROGRESS])))
    .groupBy(aegisFindings.tenantId);
  const items = inScope.map((t): TenantPosture => {
    const snap = latest.find((l) => l.tenantId === t.id);
    const o = open.find((x) => x.tenantId === t.id);
    return {
      tenantId: t.id,
      name: t.name,
      kind: t.kind,
      percent: snap ? percent(snap.score, snap.maxScore) : null,
      asOf: snap ? snap.capturedAt : null,
      openCriticalHigh: Number(o?.severe ?? 0),
      openTotal: Number(o?.total ?? 0),
    };
  });
  return items.sort((a, b) => (a.percent ?? 101) - (b.percent ?? 101) || a.name.localeCompare(b.name));
}

/** The tenant's newest snapshot captured at or before `atOrBefore`. */
async function latestSnapshot(db: DbLike, scope: TenantScope, tenantId: string, atOrBefore: number) {
  const [row] = await db
    .select()
    .from(aegisPostureSnapshots)
    .where(
      and(
        scope.whereTenant(aegisPostureSnapshots.tenantId, tenantId),
        lte(aegisPostureSnapshots.capturedAt, atOrBefore),
      ),
    )
    .orderBy(desc(aegisPostureSnapshots.capturedAt))
    .limit(1);
  return row;
}

export async function getPostureSummary(
  db: DbLike,
  scope: TenantScope,
  tenantId: string | undefined,
  now: number,
  topActions = 5,
): Promise<PostureSummary> {
  const tenant = await resolveTenant(db, scope, tenantId);
  const latest = await latestSnapshot(db, scope, tenant.id, now);
  if (!latest)
    throw new AegisError(
      "no_posture_data",
      `no posture snapshots exist for ${tenant.id} yet; import its findings (cavaridge import findings) or run the demo seed`,
    );
  const monthAgo = await latestSnapshot(db, scope, tenant.id, latest.capturedAt - 30 * DAY_MS);
  let current = {
    asOf: latest.capturedAt,
    score: latest.score,
    maxScore: latest.maxScore,
    byCategory: parseCategories(latest.byCategory),
    actions: await listImprovementActions(db, scope, tenant.id, topActions),
  };
  // A suppression that lapsed since the last computation changes the score without any write: compute it now.
  if (await suppressionLapsedSince(db, scope, tenant.id, latest.capturedAt, now)) {
    const live = await computeTenantPosture(db, tenant.id, now);
    current = {
      asOf: now,
      score: live.score,
      maxScore: live.maxScore,
      byCategory: live.byCategory.map((c) => ({ ...c, percent: percent(c.score, c.maxScore) })),
      actions: live.actions
        .slice(0, topActions)
        .map((a) => improvementAction(a, `iac_${tenant.id}_${a.key}`, "Default", a.controlRef)),
    };
  }
  const actions = current.actions;
  const status = effectiveStatusSql(now);
  const counts = await db
    .select({ severityId: aegisFindings.severityId, count: sql<number>`count(*)` })
    .from(aegisFindings)
    .where(and(scope.whereTenant(aegisFindings.tenantId, tenant.id), inArray(status, [STATUS.NEW, STATUS.IN_PROGRESS])))
    .groupBy(aegisFindings.severityId)
    .orderBy(desc(aegisFindings.severityId));
  const bySeverity = counts.map((c) => ({
    severity: severityCaption(c.severityId),
    severityId: c.severityId,
    count: Number(c.count),
  }));
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    asOf: current.asOf,
    score: current.score,
    maxScore: current.maxScore,
    percent: percent(current.score, current.maxScore),
    change30dPoints: monthAgo ? current.score - monthAgo.score : null,
    byCategory: current.byCategory,
    topImprovementActions: actions,
    openFindingsBySeverity: bySeverity,
    openFindingsTotal: bySeverity.reduce((n, s) => n + s.count, 0),
    note:
      "Score model follows Microsoft Secure Score: points earned out of points possible. It is recomputed from the " +
      "findings and their controls after every import and every suppress, resolve or reopen (severity points, " +
      "control max score, open/suppressed/resolved weights); improvement actions are ranked by points still available.",
  };
}

/** Whether a suppression of the tenant's findings lapsed in (since, now]: then the stored snapshot is stale. */
async function suppressionLapsedSince(
  db: DbLike,
  scope: TenantScope,
  tenantId: string,
  since: number,
  now: number,
): Promise<boolean> {
  const [row] = await db
    .select({ id: aegisFindings.id })
    .from(aegisFindings)
    .where(
      and(
        scope.whereTenant(aegisFindings.tenantId, tenantId),
        eq(aegisFindings.statusId, STATUS.SUPPRESSED),
        gt(aegisFindings.suppressedUntil, since),
        lte(aegisFindings.suppressedUntil, now),
      ),
    )
    .limit(1);
  return row !== undefined;
}

type ActionFields = Pick<
  ImprovementAction,
  "title" | "category" | "service" | "actionType" | "tier" | "score" | "maxScore" | "implementationCost" | "userImpact"
> & { remediation: string };

/** An action as the summary lists it, from a stored one or one computed just now (which has no id or state yet). */
function improvementAction(a: ActionFields, id: string, state: string, controlRef: string | null): ImprovementAction {
  return {
    id,
    title: a.title,
    category: a.category,
    service: a.service,
    actionType: a.actionType,
    tier: a.tier,
    score: a.score,
    maxScore: a.maxScore,
    pointsAvailable: a.maxScore - a.score,
    implementationCost: a.implementationCost,
    userImpact: a.userImpact,
    state,
    remediation: a.remediation,
    controlRef,
  };
}

/** Actions still worth points, most points available first, then by Secure Score rank. */
export async function listImprovementActions(
  db: DbLike,
  scope: TenantScope,
  tenantId: string,
  limit: number,
): Promise<ImprovementAction[]> {
  const rows = await db
    .select({ action: aegisImprovementActions, controlRef: aegisControls.controlRef })
    .from(aegisImprovementActions)
    .leftJoin(aegisControls, eq(aegisControls.id, aegisImprovementActions.controlId))
    .where(
      and(
        scope.whereTenant(aegisImprovementActions.tenantId, tenantId),
        inArray(aegisImprovementActions.state, ["Default", "Reviewed"]),
        sql`${aegisImprovementActions.maxScore} > ${aegisImprovementActions.score}`,
      ),
    )
    .orderBy(
      desc(sql`${aegisImprovementActions.maxScore} - ${aegisImprovementActions.score}`),
      asc(aegisImprovementActions.rank),
    )
    .limit(limit);
  return rows.map(({ action: a, controlRef }) => improvementAction(a, a.id, a.state, controlRef ?? null));
}

/** Daily snapshots aggregated per interval: each bucket reports its LAST snapshot (a score is a level, not a flow). */
export async function getPostureTrend(
  db: DbLike,
  scope: TenantScope,
  input: { tenantId?: string; from: number; to: number; interval: TrendInterval },
): Promise<PostureTrend> {
  if (input.from > input.to) throw new AegisError("invalid_period", "from must be before to");
  if (input.to - input.from > 400 * DAY_MS)
    throw new AegisError("invalid_period", "the period may span at most 400 days; narrow from/to");
  const tenant = await resolveTenant(db, scope, input.tenantId);
  const rows = await db
    .select()
    .from(aegisPostureSnapshots)
    .where(
      and(
        scope.whereTenant(aegisPostureSnapshots.tenantId, tenant.id),
        gte(aegisPostureSnapshots.capturedAt, input.from),
        lte(aegisPostureSnapshots.capturedAt, input.to),
      ),
    )
    .orderBy(asc(aegisPostureSnapshots.capturedAt));
  const bucketOf = (day: string): string => {
    if (input.interval === "day") return day;
    if (input.interval === "month") return day.slice(0, 7);
    // ISO 8601 weeks start on Monday.
    const d = new Date(`${day}T00:00:00Z`);
    const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS);
    return monday.toISOString().slice(0, 10);
  };
  const buckets = new Map<string, (typeof rows)[number]>();
  for (const r of rows) buckets.set(bucketOf(r.day), r);
  const points = [...buckets.entries()].map(([date, r]) => ({
    date,
    score: r.score,
    maxScore: r.maxScore,
    percent: percent(r.score, r.maxScore),
  }));
  const first = rows[0];
  const last = rows[rows.length - 1];
  const percents = points.map((p) => p.percent);
  const byCategoryChange: PostureTrend["byCategoryChange"] = [];
  if (first && last) {
    const start = new Map(parseCategories(first.byCategory).map((c) => [c.category, c.percent]));
    for (const c of parseCategories(last.byCategory)) {
      byCategoryChange.push({ category: c.category, startPercent: start.get(c.category) ?? 0, endPercent: c.percent });
    }
  }
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    interval: input.interval,
    from: input.from,
    to: input.to,
    points,
    startPercent: first ? percent(first.score, first.maxScore) : null,
    endPercent: last ? percent(last.score, last.maxScore) : null,
    changePoints: first && last ? last.score - first.score : null,
    minPercent: percents.length ? Math.min(...percents) : null,
    maxPercent: percents.length ? Math.max(...percents) : null,
    byCategoryChange,
  };
}
