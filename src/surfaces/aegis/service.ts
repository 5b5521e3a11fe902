import { and, asc, desc, eq, gte, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { ToolError } from "../../mcp/define-tool";
import { sha256Hex, newId } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import {
  aegisControls,
  aegisFindingEvents,
  aegisFindingResources,
  aegisFindings,
  aegisImprovementActions,
  aegisPostureSnapshots,
  aegisResources,
} from "../../store/schema/aegis";
import { tenants, users } from "../../store/schema/tenancy";
import { NotFoundError, type TenantScope } from "../../tenancy/scope";
import {
  CLASS_CAPTIONS,
  CLASS_KEYS,
  CLASS_UIDS,
  COMPLIANCE_CAPTIONS,
  DAY_MS,
  FRAMEWORK_NAMES,
  MAX_SUPPRESSION_DAYS,
  SEVERITY_IDS,
  STATUS,
  STATUS_IDS,
  severityCaption,
  statusCaption,
  type FindingClassName,
  type Framework,
  type SeverityName,
  type StatusName,
} from "./ocsf";
import { decodeCursor, encodeCursor } from "../kit/cursor";
import { resolveTenant as resolveTenantBy } from "../kit/tenant";
import { pageLimit } from "../kit/page";
import { countWithinBudget, isoTime } from "./paging";

/**
 * aegis data access. Every function takes the caller's TenantScope and every query on a tenant table either
 * filters with `scope.where(<table>.tenantId)` or admits the fetched row with `scope.admit`, so a row of another
 * tenant is indistinguishable from a missing one ("not found or not permitted").
 */

export interface Actor {
  userId: string;
  name: string;
}

type FindingRow = typeof aegisFindings.$inferSelect;
type ControlRow = typeof aegisControls.$inferSelect;

/**
 * A suppression lapses on its own: from `suppressed_until` on, the finding reads as New again (Secure Score's
 * "Ignored" state likewise needs periodic review). Computed at read time so no job has to run.
 */
export function effectiveStatusId(row: Pick<FindingRow, "statusId" | "suppressedUntil">, now: number): number {
  if (row.statusId === STATUS.SUPPRESSED && row.suppressedUntil !== null && row.suppressedUntil <= now)
    return STATUS.NEW;
  return row.statusId;
}

function effectiveStatusSql(now: number): SQL<number> {
  return sql<number>`(CASE WHEN ${aegisFindings.statusId} = ${STATUS.SUPPRESSED} AND ${aegisFindings.suppressedUntil} IS NOT NULL AND ${aegisFindings.suppressedUntil} <= ${now} THEN ${STATUS.NEW} ELSE ${aegisFindings.statusId} END)`;
}

// ---------------------------------------------------------------------------------------------------------
// Tenants

export interface TenantSummary {
  id: string;
  name: string;
  kind: string;
}

export async function listScopeTenants(db: DbLike, scope: TenantScope): Promise<TenantSummary[]> {
  return await db
    .select({ id: tenants.id, name: tenants.name, kind: tenants.kind })
    .from(tenants)
    .where(and(scope.where(tenants.id), eq(tenants.disabled, false)))
    .orderBy(asc(tenants.name));
}

/**
 * The tenant a per-tenant tool works on. Named (id or name, case-insensitive): the one resolver of every surface. Omitted: the caller's only non-MSP tenant,
 * otherwise a ToolError listing the choices (the model can pick one and retry).
 */
export async function resolveTenant(
  db: DbLike,
  scope: TenantScope,
  tenantId: string | undefined,
): Promise<TenantSummary> {
  if (tenantId !== undefined) {
    const { id, name, kind } = await resolveTenantBy(db, scope, tenantId);
    return { id, name, kind };
  }
  const inScope = await listScopeTenants(db, scope);
  const clients = inScope.filter((t) => t.kind !== "msp");
  const only = clients.length === 1 ? clients[0] : inScope.length === 1 ? inScope[0] : undefined;
  if (only) return only;
  throw new ToolError(
    `tenant_id is required: you may act on ${inScope.map((t) => `${t.id} (${t.name})`).join(", ") || "no tenants"}`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Posture

/** Every tenant in scope with its latest score and open-finding counts, worst first (unscored tenants last). */
export async function listTenantPosture(db: DbLike, scope: TenantScope, now: number) {
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
        sql`${aegisPostureSnapshots.capturedAt} = (SELECT max(s2.captured_at) FROM aegis_posture_snapshots s2 WHERE s2.tenant_id = ${aegisPostureSnapshots.tenantId} AND s2.captured_at <= ${now})`,
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
  const items = inScope.map((t) => {
    const snap = latest.find((l) => l.tenantId === t.id);
    const o = open.find((x) => x.tenantId === t.id);
    return {
      tenant_id: t.id,
      name: t.name,
      kind: t.kind,
      percent: snap ? percent(snap.score, snap.maxScore) : null,
      as_of: snap ? new Date(snap.capturedAt).toISOString() : null,
      open_critical_high: Number(o?.severe ?? 0),
      open_total: Number(o?.total ?? 0),
    };
  });
  return items.sort((a, b) => (a.percent ?? 101) - (b.percent ?? 101) || a.name.localeCompare(b.name));
}

export interface CategoryScore {
  category: string;
  score: number;
  max_score: number;
  percent: number;
}

export interface ImprovementAction {
  id: string;
  title: string;
  category: string;
  service: string;
  action_type: string;
  tier: string;
  score: number;
  max_score: number;
  points_available: number;
  implementation_cost: string;
  user_impact: string;
  state: string;
  remediation: string;
  control_ref: string | null;
}

export interface PostureSummary {
  tenant_id: string;
  tenant_name: string;
  as_of: string;
  score: number;
  max_score: number;
  percent: number;
  change_30d_points: number | null;
  by_category: CategoryScore[];
  top_improvement_actions: ImprovementAction[];
  open_findings_by_severity: { severity: string; severity_id: number; count: number }[];
  open_findings_total: number;
  note: string;
}

function percent(score: number, max: number): number {
  return max > 0 ? Math.round((score / max) * 1000) / 10 : 0;
}

function parseCategories(json: string): CategoryScore[] {
  const raw = JSON.parse(json) as { category: string; score: number; max_score: number }[];
  return raw.map((c) => ({
    category: c.category,
    score: c.score,
    max_score: c.max_score,
    percent: percent(c.score, c.max_score),
  }));
}

export async function getPostureSummary(
  db: DbLike,
  scope: TenantScope,
  tenantId: string | undefined,
  now: number,
  topActions = 5,
): Promise<PostureSummary> {
  const tenant = await resolveTenant(db, scope, tenantId);
  const [latest] = await db
    .select()
    .from(aegisPostureSnapshots)
    .where(
      and(
        scope.where(aegisPostureSnapshots.tenantId),
        eq(aegisPostureSnapshots.tenantId, tenant.id),
        lte(aegisPostureSnapshots.capturedAt, now),
      ),
    )
    .orderBy(desc(aegisPostureSnapshots.capturedAt))
    .limit(1);
  if (!latest)
    throw new ToolError(`no posture snapshots exist for ${tenant.id} yet; connect a scanner or run the demo seed`);
  const [monthAgo] = await db
    .select()
    .from(aegisPostureSnapshots)
    .where(
      and(
        scope.where(aegisPostureSnapshots.tenantId),
        eq(aegisPostureSnapshots.tenantId, tenant.id),
        lte(aegisPostureSnapshots.capturedAt, latest.capturedAt - 30 * DAY_MS),
      ),
    )
    .orderBy(desc(aegisPostureSnapshots.capturedAt))
    .limit(1);
  const actions = await listImprovementActions(db, scope, tenant.id, topActions);
  const status = effectiveStatusSql(now);
  const counts = await db
    .select({ severityId: aegisFindings.severityId, count: sql<number>`count(*)` })
    .from(aegisFindings)
    .where(
      and(
        scope.where(aegisFindings.tenantId),
        eq(aegisFindings.tenantId, tenant.id),
        inArray(status, [STATUS.NEW, STATUS.IN_PROGRESS]),
      ),
    )
    .groupBy(aegisFindings.severityId)
    .orderBy(desc(aegisFindings.severityId));
  const bySeverity = counts.map((c) => ({
    severity: severityCaption(c.severityId),
    severity_id: c.severityId,
    count: Number(c.count),
  }));
  return {
    tenant_id: tenant.id,
    tenant_name: tenant.name,
    as_of: new Date(latest.capturedAt).toISOString(),
    score: latest.score,
    max_score: latest.maxScore,
    percent: percent(latest.score, latest.maxScore),
    change_30d_points: monthAgo ? latest.score - monthAgo.score : null,
    by_category: parseCategories(latest.byCategory),
    top_improvement_actions: actions,
    open_findings_by_severity: bySeverity,
    open_findings_total: bySeverity.reduce((n, s) => n + s.count, 0),
    note: "Score model follows Microsoft Secure Score (points per improvement action); improvement actions are ranked by points still available, then by rank.",
  };
}

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
        scope.where(aegisImprovementActions.tenantId),
        eq(aegisImprovementActions.tenantId, tenantId),
        inArray(aegisImprovementActions.state, ["Default", "Reviewed"]),
        sql`${aegisImprovementActions.maxScore} > ${aegisImprovementActions.score}`,
      ),
    )
    .orderBy(
      desc(sql`${aegisImprovementActions.maxScore} - ${aegisImprovementActions.score}`),
      asc(aegisImprovementActions.rank),
    )
    .limit(limit);
  return rows.map(({ action: a, controlRef }) => ({
    id: a.id,
    title: a.title,
    category: a.category,
    service: a.service,
    action_type: a.actionType,
    tier: a.tier,
    score: a.score,
    max_score: a.maxScore,
    points_available: a.maxScore - a.score,
    implementation_cost: a.implementationCost,
    user_impact: a.userImpact,
    state: a.state,
    remediation: a.remediation,
    control_ref: controlRef ?? null,
  }));
}

export interface TrendPoint {
  date: string;
  score: number;
  max_score: number;
  percent: number;
}

export interface PostureTrend {
  tenant_id: string;
  tenant_name: string;
  interval: "day" | "week" | "month";
  from: string;
  to: string;
  points: TrendPoint[];
  start_percent: number | null;
  end_percent: number | null;
  change_points: number | null;
  min_percent: number | null;
  max_percent: number | null;
  by_category_change: { category: string; start_percent: number; end_percent: number }[];
}

/** Daily snapshots aggregated per interval: each bucket reports its LAST snapshot (a score is a level, not a flow). */
export async function getPostureTrend(
  db: DbLike,
  scope: TenantScope,
  input: { tenantId?: string; from: number; to: number; interval: "day" | "week" | "month" },
): Promise<PostureTrend> {
  if (input.from > input.to) throw new ToolError("from must be before to");
  if (input.to - input.from > 400 * DAY_MS) throw new ToolError("the period may span at most 400 days; narrow from/to");
  const tenant = await resolveTenant(db, scope, input.tenantId);
  const rows = await db
    .select()
    .from(aegisPostureSnapshots)
    .where(
      and(
        scope.where(aegisPostureSnapshots.tenantId),
        eq(aegisPostureSnapshots.tenantId, tenant.id),
        gte(aegisPostureSnapshots.capturedAt, input.from),
        lte(aegisPostureSnapshots.capturedAt, input.to),
      ),
    )
    .orderBy(asc(aegisPostureSnapshots.capturedAt));
  const bucketOf = (day: string): string => {
    if (input.interval === "day") return day;
    if (input.interval === "month") return day.slice(0, 7);
    const d = new Date(`${day}T00:00:00Z`);
    const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS);
    return monday.toISOString().slice(0, 10);
  };
  const buckets = new Map<string, (typeof rows)[number]>();
  for (const r of rows) buckets.set(bucketOf(r.day), r);
  const points = [...buckets.entries()].map(([date, r]) => ({
    date,
    score: r.score,
    max_score: r.maxScore,
    percent: percent(r.score, r.maxScore),
  }));
  const first = rows[0];
  const last = rows[rows.length - 1];
  const percents = points.map((p) => p.percent);
  const byCategoryChange: PostureTrend["by_category_change"] = [];
  if (first && last) {
    const start = new Map(parseCategories(first.byCategory).map((c) => [c.category, c.percent]));
    for (const c of parseCategories(last.byCategory)) {
      byCategoryChange.push({
        category: c.category,
        start_percent: start.get(c.category) ?? 0,
        end_percent: c.percent,
      });
    }
  }
  return {
    tenant_id: tenant.id,
    tenant_name: tenant.name,
    interval: input.interval,
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    points,
    start_percent: first ? percent(first.score, first.maxScore) : null,
    end_percent: last ? percent(last.score, last.maxScore) : null,
    change_points: first && last ? last.score - first.score : null,
    min_percent: percents.length ? Math.min(...percents) : null,
    max_percent: percents.length ? Math.max(...percents) : null,
    by_category_change: byCategoryChange,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Findings

export interface FindingSummary {
  id: string;
  tenant_id: string;
  uid: string;
  title: string;
  class_uid: number;
  class_name: string;
  severity: string;
  severity_id: number;
  status: StatusName;
  status_id: number;
  compliance_status: string | null;
  source: string;
  framework: string | null;
  control_ref: string | null;
  assignee: string | null;
  risk_score: number;
  first_seen: string;
  last_seen: string;
  suppressed_until: string | null;
  resource_count: number;
}

export interface FindingFilters {
  tenantId?: string;
  severities?: SeverityName[];
  minSeverity?: SeverityName;
  statuses?: StatusName[];
  classes?: FindingClassName[];
  framework?: Framework;
  controlRef?: string;
  query?: string;
}

function toSummary(
  f: FindingRow,
  control: Pick<ControlRow, "framework" | "controlRef"> | null,
  resourceCount: number,
  now: number,
): FindingSummary {
  const statusId = effectiveStatusId(f, now);
  return {
    id: f.id,
    tenant_id: f.tenantId,
    uid: f.uid,
    title: f.title,
    class_uid: f.classUid,
    class_name: CLASS_CAPTIONS[f.classUid] ?? "Finding",
    severity: severityCaption(f.severityId),
    severity_id: f.severityId,
    status: statusCaption(statusId),
    status_id: statusId,
    compliance_status: f.complianceStatusId === null ? null : (COMPLIANCE_CAPTIONS[f.complianceStatusId] ?? null),
    source: f.source,
    framework: control?.framework ?? null,
    control_ref: control?.controlRef ?? null,
    assignee: f.assigneeName,
    risk_score: f.riskScore,
    first_seen: new Date(f.firstSeenAt).toISOString(),
    last_seen: new Date(f.lastSeenAt).toISOString(),
    suppressed_until: statusId === STATUS.SUPPRESSED ? isoTime(f.suppressedUntil) : null,
    resource_count: resourceCount,
  };
}

function findingConditions(scope: TenantScope, filters: FindingFilters, now: number): SQL[] {
  const conds: SQL[] = [scope.where(aegisFindings.tenantId)];
  // A named tenant was resolved (and required) by listFindings; the scope condition above still applies.
  if (filters.tenantId !== undefined) conds.push(eq(aegisFindings.tenantId, filters.tenantId));
  if (filters.severities?.length)
    conds.push(
      inArray(
        aegisFindings.severityId,
        filters.severities.map((s) => SEVERITY_IDS[s]),
      ),
    );
  if (filters.minSeverity) conds.push(gte(aegisFindings.severityId, SEVERITY_IDS[filters.minSeverity]));
  if (filters.statuses?.length)
    conds.push(
      inArray(
        effectiveStatusSql(now),
        filters.statuses.map((s) => STATUS_IDS[s]),
      ),
    );
  if (filters.classes?.length)
    conds.push(
      inArray(
        aegisFindings.classUid,
        filters.classes.map((c) => CLASS_UIDS[c]),
      ),
    );
  if (filters.framework) conds.push(eq(aegisControls.framework, filters.framework));
  if (filters.controlRef) conds.push(eq(aegisControls.controlRef, filters.controlRef));
  if (filters.query) {
    const like = `%${filters.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(
      sql`(${aegisFindings.title} LIKE ${like} ESCAPE '\\' OR ${aegisFindings.description} LIKE ${like} ESCAPE '\\')`,
    );
  }
  return conds;
}

export interface FindingPage {
  items: FindingSummary[];
  next_cursor: string | null;
  total: number;
  applied_filters: Record<string, unknown>;
}

/** Ordered by severity (worst first), then id; keyset-paginated so pages stay stable while findings change state. */
export async function listFindings(
  db: DbLike,
  scope: TenantScope,
  filters: FindingFilters,
  page: { cursor?: string; limit?: number },
  now: number,
): Promise<FindingPage> {
  const limit = pageLimit(page.limit);
  if (filters.tenantId !== undefined)
    filters = { ...filters, tenantId: (await resolveTenantBy(db, scope, filters.tenantId)).id };
  const conds = findingConditions(scope, filters, now);
  const [total] = await db
    .select({ n: sql<number>`count(*)` })
    .from(aegisFindings)
    .leftJoin(aegisControls, eq(aegisControls.id, aegisFindings.controlId))
    .where(and(...conds));
  const after = decodeCursor("aegis.findings", page.cursor, ["count", "string"]);
  if (after) {
    const [severity, id] = after;
    conds.push(
      or(
        sql`${aegisFindings.severityId} < ${severity}`,
        and(eq(aegisFindings.severityId, severity), sql`${aegisFindings.id} > ${id}`),
      )!,
    );
  }
  const rows = await db
    .select({
      finding: aegisFindings,
      framework: aegisControls.framework,
      controlRef: aegisControls.controlRef,
      resources: sql<number>`(SELECT count(*) FROM ${aegisFindingResources} WHERE ${aegisFindingResources.findingId} = ${aegisFindings.id})`,
    })
    .from(aegisFindings)
    .leftJoin(aegisControls, eq(aegisControls.id, aegisFindings.controlId))
    .where(and(...conds))
    .orderBy(desc(aegisFindings.severityId), asc(aegisFindings.id))
    .limit(limit + 1);
  const summaries = rows
    .slice(0, limit)
    .map((r) =>
      toSummary(
        r.finding,
        r.framework && r.controlRef ? { framework: r.framework, controlRef: r.controlRef } : null,
        Number(r.resources),
        now,
      ),
    );
  const fit = countWithinBudget(summaries);
  const items = summaries.slice(0, fit);
  const more = rows.length > fit;
  const last = items[items.length - 1];
  const applied: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filters))
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) applied[k] = v;
  return {
    items,
    next_cursor: more && last ? encodeCursor("aegis.findings", [last.severity_id, last.id]) : null,
    total: Number(total?.n ?? 0),
    applied_filters: applied,
  };
}

export interface FindingResource {
  id: string;
  kind: string;
  name: string;
  external_ref: string | null;
}

export interface FindingEvent {
  at: string;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  comment: string | null;
}

export interface FindingControl {
  id: string;
  framework: string;
  framework_name: string;
  control_ref: string;
  title: string;
  category: string;
  profile: string | null;
}

export interface FindingDetail extends FindingSummary {
  tenant_name: string;
  description: string;
  types: string[];
  remediation: string;
  control: FindingControl | null;
  resources: FindingResource[];
  history: FindingEvent[];
  suppression: { reason: string | null; justification: string | null; until: string | null; expired: boolean } | null;
  resolution: { note: string | null; evidence: string | null; resolved_at: string | null } | null;
}

async function loadFinding(db: DbLike, scope: TenantScope, findingId: string): Promise<FindingRow> {
  const [row] = await db.select().from(aegisFindings).where(eq(aegisFindings.id, findingId)).limit(1);
  return scope.admit(row, "finding", findingId);
}

export async function getFinding(
  db: DbLike,
  scope: TenantScope,
  findingId: string,
  now: number,
  historyLimit = 50,
): Promise<FindingDetail> {
  const f = await loadFinding(db, scope, findingId);
  const [control] = f.controlId
    ? await db.select().from(aegisControls).where(eq(aegisControls.id, f.controlId)).limit(1)
    : [];
  const resources = await db
    .select({ r: aegisResources })
    .from(aegisFindingResources)
    .innerJoin(aegisResources, eq(aegisResources.id, aegisFindingResources.resourceId))
    .where(and(scope.where(aegisFindingResources.tenantId), eq(aegisFindingResources.findingId, f.id)))
    .orderBy(asc(aegisResources.name));
  const events = await db
    .select()
    .from(aegisFindingEvents)
    .where(and(scope.where(aegisFindingEvents.tenantId), eq(aegisFindingEvents.findingId, f.id)))
    // Same-instant events (acknowledge + assign) keep insertion order through the rowid tiebreaker.
    .orderBy(desc(aegisFindingEvents.at), desc(sql`${aegisFindingEvents}.rowid`))
    .limit(historyLimit);
  const [tenant] = await db
    .select({ name: tenants.name })
    .from(tenants)
    .where(and(scope.where(tenants.id), eq(tenants.id, f.tenantId)));
  const summary = toSummary(f, control ?? null, resources.length, now);
  const statusOf = (id: number | null) => (id === null ? null : statusCaption(id));
  return {
    ...summary,
    tenant_name: tenant?.name ?? f.tenantId,
    description: f.description,
    types: JSON.parse(f.types) as string[],
    remediation: f.remediation,
    control: control
      ? {
          id: control.id,
          framework: control.framework,
          framework_name: FRAMEWORK_NAMES[control.framework as Framework] ?? control.framework,
          control_ref: control.controlRef,
          title: control.title,
          category: control.category,
          profile: control.profile,
        }
      : null,
    resources: resources.map(({ r }) => ({ id: r.id, kind: r.kind, name: r.name, external_ref: r.externalRef })),
    history: events.map((e) => ({
      at: new Date(e.at).toISOString(),
      actor: e.actorName,
      action: e.action,
      from_status: statusOf(e.fromStatusId),
      to_status: statusOf(e.toStatusId),
      comment: e.comment,
    })),
    suppression:
      f.suppressionReason !== null
        ? {
            reason: f.suppressionReason,
            justification: f.suppressionJustification,
            until: isoTime(f.suppressedUntil),
            expired: f.statusId === STATUS.SUPPRESSED && effectiveStatusId(f, now) !== STATUS.SUPPRESSED,
          }
        : null,
    resolution:
      f.resolvedAt !== null || f.resolutionNote !== null
        ? { note: f.resolutionNote, evidence: f.resolutionEvidence, resolved_at: isoTime(f.resolvedAt) }
        : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Finding workflow (OCSF status_id transitions). Each write appends a history row in the same transaction.

async function appendEvent(
  db: DbLike,
  f: FindingRow,
  actor: Actor,
  action: string,
  fromStatusId: number | null,
  toStatusId: number | null,
  comment: string | null,
  now: number,
): Promise<void> {
  await db.insert(aegisFindingEvents).values({
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
  });
}

/**
 * Who may be assigned a finding: an enabled user of the finding's own tenant, or MSP staff (a user of the MSP that
 * manages that tenant, or of the tenant itself when it is the MSP), and in either case within the caller's scope.
 * A user of another client of the same MSP is refused: assigning would show them a finding of a customer they
 * cannot otherwise see.
 */
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
    throw new ToolError(
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
  const f = await loadFinding(db, scope, input.findingId);
  const from = effectiveStatusId(f, now);
  if (from === STATUS.SUPPRESSED || from === STATUS.RESOLVED) {
    throw new ToolError(
      `finding ${f.id} is ${statusCaption(from)}; reopen it with aegis_reopen_finding before acknowledging it`,
    );
  }
  const assignee = input.assigneeEmail ? await resolveAssignee(db, scope, f, input.assigneeEmail) : null;
  await db.transaction(async (tx) => {
    await tx
      .update(aegisFindings)
      .set({
        statusId: STATUS.IN_PROGRESS,
        assigneeUserId: assignee ? assignee.id : f.assigneeUserId,
        assigneeName: assignee ? assignee.name : f.assigneeName,
        // Acknowledging a finding whose suppression lapsed starts a fresh triage: the old acceptance no longer applies.
        ...(f.statusId === STATUS.SUPPRESSED
          ? { suppressionReason: null, suppressionJustification: null, suppressedUntil: null }
          : {}),
        updatedAt: now,
      })
      .where(and(scope.where(aegisFindings.tenantId), eq(aegisFindings.id, f.id)));
    await appendEvent(
      tx,
      f,
      actor,
      from === STATUS.NEW ? "acknowledged" : "noted",
      from,
      STATUS.IN_PROGRESS,
      input.note,
      now,
    );
    if (assignee && assignee.id !== f.assigneeUserId)
      await appendEvent(tx, f, actor, "assigned", null, null, `Assigned to ${assignee.name}`, now);
  });
  return await getFinding(db, scope, f.id, now);
}

export interface SuppressInput {
  findingId: string;
  reason: "accepted_risk" | "third_party" | "false_positive";
  justification: string;
  expiresAt: number;
}

export interface SuppressPlan {
  finding: FindingSummary;
  from_status: StatusName;
  to_status: "Suppressed";
  reason: string;
  justification: string;
  expires_at: string;
  days: number;
}

/** Validates a suppression without writing: used by both the preview and the handler (pure apart from the read). */
export async function planSuppression(
  db: DbLike,
  scope: TenantScope,
  input: SuppressInput,
  now: number,
): Promise<SuppressPlan> {
  const f = await loadFinding(db, scope, input.findingId);
  const from = effectiveStatusId(f, now);
  if (from === STATUS.RESOLVED)
    throw new ToolError(`finding ${f.id} is Resolved; there is nothing to suppress (reopen it first if it came back)`);
  if (input.expiresAt <= now) throw new ToolError("expires_at must be in the future");
  if (input.expiresAt > now + MAX_SUPPRESSION_DAYS * DAY_MS) {
    throw new ToolError(
      `expires_at may be at most ${MAX_SUPPRESSION_DAYS} days ahead (latest ${new Date(now + MAX_SUPPRESSION_DAYS * DAY_MS).toISOString()}); risk acceptance must be reviewed at least twice a year`,
    );
  }
  if (input.justification.trim().length < 10)
    throw new ToolError("justification must explain in at least 10 characters why the risk is accepted or mitigated");
  return {
    finding: toSummary(f, null, 0, now),
    from_status: statusCaption(from),
    to_status: "Suppressed",
    reason: input.reason,
    justification: input.justification.trim(),
    expires_at: new Date(input.expiresAt).toISOString(),
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
  const from = effectiveStatusId(f, now);
  await db.transaction(async (tx) => {
    await tx
      .update(aegisFindings)
      .set({
        statusId: STATUS.SUPPRESSED,
        suppressionReason: input.reason,
        suppressionJustification: plan.justification,
        suppressedUntil: input.expiresAt,
        updatedAt: now,
      })
      .where(and(scope.where(aegisFindings.tenantId), eq(aegisFindings.id, f.id)));
    await appendEvent(
      tx,
      f,
      actor,
      "suppressed",
      from,
      STATUS.SUPPRESSED,
      `${input.reason} until ${plan.expires_at}: ${plan.justification}`,
      now,
    );
  });
  return await getFinding(db, scope, f.id, now);
}

export interface ResolveInput {
  findingId: string;
  resolutionNote: string;
  evidence?: string;
}

export async function planResolution(db: DbLike, scope: TenantScope, input: ResolveInput, now: number) {
  const f = await loadFinding(db, scope, input.findingId);
  const from = effectiveStatusId(f, now);
  if (from === STATUS.RESOLVED) throw new ToolError(`finding ${f.id} is already Resolved`);
  if (input.resolutionNote.trim().length < 10)
    throw new ToolError("resolution_note must say in at least 10 characters what was changed");
  return {
    finding: toSummary(f, null, 0, now),
    from_status: statusCaption(from),
    to_status: "Resolved" as const,
    resolution_note: input.resolutionNote.trim(),
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
  const from = effectiveStatusId(f, now);
  await db.transaction(async (tx) => {
    await tx
      .update(aegisFindings)
      .set({
        statusId: STATUS.RESOLVED,
        resolutionNote: plan.resolution_note,
        resolutionEvidence: plan.evidence,
        resolvedAt: now,
        complianceStatusId: f.classUid === CLASS_UIDS.compliance ? 1 : f.complianceStatusId,
        updatedAt: now,
      })
      .where(and(scope.where(aegisFindings.tenantId), eq(aegisFindings.id, f.id)));
    await appendEvent(
      tx,
      f,
      actor,
      "resolved",
      from,
      STATUS.RESOLVED,
      plan.evidence ? `${plan.resolution_note} (evidence: ${plan.evidence})` : plan.resolution_note,
      now,
    );
  });
  return await getFinding(db, scope, f.id, now);
}

/** Suppressed or Resolved -> New: the finding goes back to triage; suppression and resolution details are cleared. */
export async function reopenFinding(
  db: DbLike,
  scope: TenantScope,
  actor: Actor,
  input: { findingId: string; reason: string },
  now: number,
): Promise<FindingDetail> {
  const f = await loadFinding(db, scope, input.findingId);
  const from = effectiveStatusId(f, now);
  if (f.statusId !== STATUS.SUPPRESSED && f.statusId !== STATUS.RESOLVED) {
    throw new ToolError(
      `finding ${f.id} is ${statusCaption(from)}, not Suppressed or Resolved; there is nothing to reopen`,
    );
  }
  await db.transaction(async (tx) => {
    await tx
      .update(aegisFindings)
      .set({
        statusId: STATUS.NEW,
        suppressionReason: null,
        suppressionJustification: null,
        suppressedUntil: null,
        resolutionNote: null,
        resolutionEvidence: null,
        resolvedAt: null,
        complianceStatusId: f.classUid === CLASS_UIDS.compliance ? 3 : f.complianceStatusId,
        updatedAt: now,
      })
      .where(and(scope.where(aegisFindings.tenantId), eq(aegisFindings.id, f.id)));
    await appendEvent(tx, f, actor, "reopened", f.statusId, STATUS.NEW, input.reason, now);
  });
  return await getFinding(db, scope, f.id, now);
}

// ---------------------------------------------------------------------------------------------------------
// Framework controls

export type ControlStanding = "pass" | "fail" | "risk_accepted" | "not_assessed";

export interface ControlSummary {
  id: string;
  framework: string;
  control_ref: string;
  title: string;
  category: string;
  profile: string | null;
  max_score: number;
  implementation_cost: string;
  user_impact: string;
  /** Only when a tenant_id was given. */
  tenant_status: ControlStanding | null;
  open_findings: number | null;
}

/**
 * A tenant's standing on a control, from its findings: any open finding fails it; only suppressed findings
 * mean the risk is accepted; resolved/passing findings pass it; no finding at all means not assessed.
 */
function standingOf(statuses: number[]): ControlStanding {
  if (statuses.length === 0) return "not_assessed";
  if (statuses.some((s) => s === STATUS.NEW || s === STATUS.IN_PROGRESS)) return "fail";
  if (statuses.some((s) => s === STATUS.SUPPRESSED)) return "risk_accepted";
  return "pass";
}

async function standings(db: DbLike, scope: TenantScope, tenantId: string, controlIds: string[], now: number) {
  const map = new Map<string, number[]>();
  if (controlIds.length === 0) return map;
  const rows = await db
    .select({
      controlId: aegisFindings.controlId,
      statusId: aegisFindings.statusId,
      suppressedUntil: aegisFindings.suppressedUntil,
      compliance: aegisFindings.complianceStatusId,
    })
    .from(aegisFindings)
    .where(
      and(
        scope.where(aegisFindings.tenantId),
        eq(aegisFindings.tenantId, tenantId),
        inArray(aegisFindings.controlId, controlIds),
      ),
    );
  for (const r of rows) {
    if (!r.controlId) continue;
    // A compliance finding that passed the check counts as resolved evidence for the control.
    const s = r.compliance === 1 ? STATUS.RESOLVED : effectiveStatusId(r, now);
    map.set(r.controlId, [...(map.get(r.controlId) ?? []), s]);
  }
  return map;
}

function controlSummary(c: ControlRow, statuses: number[] | undefined, withTenant: boolean): ControlSummary {
  return {
    id: c.id,
    framework: c.framework,
    control_ref: c.controlRef,
    title: c.title,
    category: c.category,
    profile: c.profile,
    max_score: c.maxScore,
    implementation_cost: c.implementationCost,
    user_impact: c.userImpact,
    tenant_status: withTenant ? standingOf(statuses ?? []) : null,
    open_findings: withTenant
      ? (statuses ?? []).filter((s) => s === STATUS.NEW || s === STATUS.IN_PROGRESS).length
      : null,
  };
}

export interface ControlFilters {
  tenantId?: string;
  framework?: Framework;
  category?: string;
  profile?: string;
  status?: ControlStanding;
}

/** Controls are the shared catalogue; offset-paginated (the catalogue is static), filtered by standing in memory. */
export async function listControls(
  db: DbLike,
  scope: TenantScope,
  filters: ControlFilters,
  page: { cursor?: string; limit?: number },
  now: number,
) {
  const limit = pageLimit(page.limit);
  if (filters.status && !filters.tenantId)
    throw new ToolError("status filters a tenant's standing: pass tenant_id too");
  const tenant = filters.tenantId ? await resolveTenant(db, scope, filters.tenantId) : null;
  const conds: SQL[] = [];
  if (filters.framework) conds.push(eq(aegisControls.framework, filters.framework));
  if (filters.category) conds.push(eq(aegisControls.category, filters.category));
  if (filters.profile) conds.push(eq(aegisControls.profile, filters.profile));
  const all = await db
    .select()
    .from(aegisControls)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(aegisControls.framework), asc(aegisControls.controlRef));
  const map = tenant
    ? await standings(
        db,
        scope,
        tenant.id,
        all.map((c) => c.id),
        now,
      )
    : new Map<string, number[]>();
  let items = all.map((c) => controlSummary(c, map.get(c.id), tenant !== null));
  if (filters.status) items = items.filter((c) => c.tenant_status === filters.status);
  const [offset] = decodeCursor("aegis.controls", page.cursor, ["count"]) ?? [0];
  const slice = items.slice(offset, offset + limit);
  return {
    items: slice,
    next_cursor: offset + limit < items.length ? encodeCursor("aegis.controls", [offset + limit]) : null,
    total: items.length,
    tenant_id: tenant?.id ?? null,
  };
}

export async function getControl(
  db: DbLike,
  scope: TenantScope,
  input: { controlId?: string; framework?: Framework; controlRef?: string; tenantId?: string },
  now: number,
) {
  let control: ControlRow | undefined;
  if (input.controlId) {
    [control] = await db.select().from(aegisControls).where(eq(aegisControls.id, input.controlId)).limit(1);
  } else if (input.framework && input.controlRef) {
    [control] = await db
      .select()
      .from(aegisControls)
      .where(and(eq(aegisControls.framework, input.framework), eq(aegisControls.controlRef, input.controlRef)))
      .limit(1);
  } else {
    throw new ToolError("pass control_id, or framework together with control_ref");
  }
  if (!control) throw new NotFoundError("control", input.controlId ?? `${input.framework}:${input.controlRef}`);
  const tenant = input.tenantId ? await resolveTenant(db, scope, input.tenantId) : null;
  const conds: SQL[] = [scope.where(aegisFindings.tenantId), eq(aegisFindings.controlId, control.id)];
  if (tenant) conds.push(eq(aegisFindings.tenantId, tenant.id));
  const findings = await db
    .select()
    .from(aegisFindings)
    .where(and(...conds))
    .orderBy(desc(aegisFindings.severityId), asc(aegisFindings.id))
    .limit(50);
  const map = tenant ? await standings(db, scope, tenant.id, [control.id], now) : new Map<string, number[]>();
  return {
    ...controlSummary(control, map.get(control.id), tenant !== null),
    framework_name: FRAMEWORK_NAMES[control.framework as Framework] ?? control.framework,
    description: control.description,
    rationale: control.rationale,
    remediation: control.remediation,
    findings: findings.map((f) => toSummary(f, control, 0, now)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Evidence export

/**
 * Keep the inline content well under the 150,000-character result budget: the result travels twice
 * (structuredContent and its JSON text, where escaping adds a little), plus the envelope.
 */
export const EVIDENCE_MAX_CHARS = 40_000;

export interface EvidencePack {
  tenant_id: string;
  tenant_name: string;
  format: "csv" | "ocsf_jsonl";
  framework: string | null;
  period_start: string;
  period_end: string;
  generated_at: string;
  finding_count: number;
  included_count: number;
  truncated: boolean;
  sha256: string;
  content_chars: number;
  content: string;
  posture: { start_percent: number | null; end_percent: number | null };
}

export function csvCell(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  // Quote everything that needs it (RFC 4180 §2) and neutralise spreadsheet formula injection (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Evidence of the tenant's findings that were open at any time in the period: CSV (RFC 4180) or OCSF 1.x
 * Finding events as JSON lines (one object per finding, class_uid 2002/2003/2004). The sha256 is over exactly
 * the returned `content` (UTF-8), so an auditor can verify the copy they were given.
 */
export async function exportEvidence(
  db: DbLike,
  scope: TenantScope,
  input: { tenantId?: string; framework?: Framework; from: number; to: number; format: "csv" | "ocsf_jsonl" },
  now: number,
): Promise<EvidencePack> {
  if (input.from > input.to) throw new ToolError("period_start must be before period_end");
  const tenant = await resolveTenant(db, scope, input.tenantId);
  const conds: SQL[] = [
    scope.where(aegisFindings.tenantId),
    eq(aegisFindings.tenantId, tenant.id),
    lte(aegisFindings.firstSeenAt, input.to),
    or(sql`${aegisFindings.resolvedAt} IS NULL`, gte(aegisFindings.resolvedAt, input.from))!,
  ];
  if (input.framework) conds.push(eq(aegisControls.framework, input.framework));
  const rows = await db
    .select({ f: aegisFindings, c: aegisControls })
    .from(aegisFindings)
    .leftJoin(aegisControls, eq(aegisControls.id, aegisFindings.controlId))
    .where(and(...conds))
    .orderBy(desc(aegisFindings.severityId), asc(aegisFindings.id));
  const resourceRows = rows.length
    ? await db
        .select({ findingId: aegisFindingResources.findingId, r: aegisResources })
        .from(aegisFindingResources)
        .innerJoin(aegisResources, eq(aegisResources.id, aegisFindingResources.resourceId))
        .where(
          and(
            scope.where(aegisFindingResources.tenantId),
            inArray(
              aegisFindingResources.findingId,
              rows.map((r) => r.f.id),
            ),
          ),
        )
    : [];
  const resourcesOf = new Map<string, (typeof resourceRows)[number]["r"][]>();
  for (const rr of resourceRows) resourcesOf.set(rr.findingId, [...(resourcesOf.get(rr.findingId) ?? []), rr.r]);

  const lines: string[] = [];
  if (input.format === "csv") {
    lines.push(
      [
        "finding_id",
        "uid",
        "class",
        "severity",
        "status",
        "compliance_status",
        "framework",
        "control_ref",
        "title",
        "resources",
        "first_seen",
        "last_seen",
        "resolved_at",
        "suppressed_until",
        "assignee",
        "resolution_note",
      ].join(","),
    );
  }
  let included = 0;
  let size = lines.reduce((n, l) => n + l.length + 1, 0);
  let truncated = false;
  for (const { f, c } of rows) {
    const statusId = effectiveStatusId(f, now);
    const res = resourcesOf.get(f.id) ?? [];
    let line: string;
    if (input.format === "csv") {
      line = [
        f.id,
        f.uid,
        CLASS_KEYS[f.classUid] ?? "finding",
        severityCaption(f.severityId),
        statusCaption(statusId),
        f.complianceStatusId === null ? null : (COMPLIANCE_CAPTIONS[f.complianceStatusId] ?? null),
        c?.framework ?? null,
        c?.controlRef ?? null,
        f.title,
        res.map((r) => `${r.kind}:${r.name}`).join("; "),
        isoTime(f.firstSeenAt),
        isoTime(f.lastSeenAt),
        isoTime(f.resolvedAt),
        statusId === STATUS.SUPPRESSED ? isoTime(f.suppressedUntil) : null,
        f.assigneeName,
        f.resolutionNote,
      ]
        .map(csvCell)
        .join(",");
    } else {
      line = JSON.stringify(toOcsf(f, c ?? null, res, tenant, statusId, now));
    }
    if (size + line.length + 1 > EVIDENCE_MAX_CHARS) {
      truncated = true;
      break;
    }
    lines.push(line);
    size += line.length + 1;
    included++;
  }
  const content = lines.length ? `${lines.join("\n")}\n` : "";
  const trend = await getPostureTrend(db, scope, {
    tenantId: tenant.id,
    from: input.from,
    to: input.to,
    interval: "month",
  }).catch(() => null);
  return {
    tenant_id: tenant.id,
    tenant_name: tenant.name,
    format: input.format,
    framework: input.framework ?? null,
    period_start: new Date(input.from).toISOString(),
    period_end: new Date(input.to).toISOString(),
    generated_at: new Date(now).toISOString(),
    finding_count: rows.length,
    included_count: included,
    truncated,
    sha256: sha256Hex(content),
    content_chars: content.length,
    content,
    posture: { start_percent: trend?.start_percent ?? null, end_percent: trend?.end_percent ?? null },
  };
}

/** One OCSF 1.x Finding event (https://schema.ocsf.io/ classes 2002/2003/2004), activity 2 Update (state as of export). */
function toOcsf(
  f: FindingRow,
  c: ControlRow | null,
  res: (typeof aegisResources.$inferSelect)[],
  tenant: TenantSummary,
  statusId: number,
  now: number,
): Record<string, unknown> {
  const classUid = f.classUid;
  const event: Record<string, unknown> = {
    category_uid: 2,
    category_name: "Findings",
    class_uid: classUid,
    class_name: CLASS_CAPTIONS[classUid],
    activity_id: 2,
    activity_name: "Update",
    type_uid: classUid * 100 + 2,
    time: now,
    severity_id: f.severityId,
    severity: severityCaption(f.severityId),
    status_id: statusId,
    status: statusCaption(statusId),
    metadata: {
      version: "1.3.0",
      product: { name: "Cavaridge AEGIS", vendor_name: "Cavaridge" },
      tenant_uid: tenant.id,
    },
    finding_info: {
      uid: f.uid,
      title: f.title,
      desc: f.description,
      types: JSON.parse(f.types) as string[],
      created_time: f.createdAt,
      first_seen_time: f.firstSeenAt,
      last_seen_time: f.lastSeenAt,
      modified_time: f.updatedAt,
    },
    resources: res.map((r) => ({ uid: r.externalRef ?? r.id, name: r.name, type: r.kind })),
    remediation: { desc: f.remediation },
    risk_score: f.riskScore,
    unmapped: {
      source: f.source,
      assignee: f.assigneeName,
      suppressed_until: statusId === STATUS.SUPPRESSED ? f.suppressedUntil : null,
    },
  };
  if (f.resolvedAt !== null) event.end_time = f.resolvedAt;
  if (classUid === CLASS_UIDS.compliance) {
    event.compliance = {
      standards: [c ? (FRAMEWORK_NAMES[c.framework as Framework] ?? c.framework) : "Unmapped"],
      control: c?.controlRef ?? null,
      status_id: f.complianceStatusId ?? 3,
      status: COMPLIANCE_CAPTIONS[f.complianceStatusId ?? 3],
    };
  }
  if (classUid === CLASS_UIDS.vulnerability)
    event.vulnerabilities = [{ title: f.title, desc: f.description, severity: severityCaption(f.severityId) }];
  if (classUid === CLASS_UIDS.detection) event.evidences = [{ data: { description: f.description } }];
  return event;
}
