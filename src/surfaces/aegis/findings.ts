import { and, asc, desc, eq, gte, inArray, or, sql, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import {
  aegisControls,
  aegisFindingEvents,
  aegisFindingResources,
  aegisFindings,
  aegisResources,
} from "../../store/schema/aegis";
import { tenants } from "../../store/schema/tenancy";
import type { TenantScope } from "../../tenancy/scope";
import { decodeCursor, encodeCursor } from "../kit/cursor";
import { pageLimit } from "../kit/page";
import { resolveTenant } from "../kit/tenant";
import { effectiveStatusId, effectiveStatusSql } from "./effective-status";
import {
  CLASS_CAPTIONS,
  CLASS_UIDS,
  COMPLIANCE_CAPTIONS,
  FRAMEWORK_NAMES,
  type FindingClassName,
  type Framework,
  SEVERITY_IDS,
  STATUS,
  STATUS_IDS,
  type SeverityName,
  type StatusName,
  severityCaption,
  statusCaption,
} from "./ocsf";

/**
 * Findings as OCSF 1.x Finding events describe them (https://schema.ocsf.io/1.3.0/classes/compliance_finding and
 * its siblings 2002/2004): a severity_id, a status_id, and for compliance findings a compliance.status_id.
 * Times are epoch milliseconds.
 */

export type FindingRow = typeof aegisFindings.$inferSelect;
export type ControlRow = typeof aegisControls.$inferSelect;

export interface FindingSummary {
  id: string;
  tenantId: string;
  uid: string;
  title: string;
  classUid: number;
  className: string;
  severity: string;
  severityId: number;
  status: StatusName;
  statusId: number;
  complianceStatus: string | null;
  source: string;
  framework: string | null;
  controlRef: string | null;
  assignee: string | null;
  riskScore: number;
  firstSeen: number;
  lastSeen: number;
  /** Only while the finding reads as Suppressed. */
  suppressedUntil: number | null;
  resourceCount: number;
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

export interface FindingPage {
  items: FindingSummary[];
  nextCursor: string | null;
  total: number;
  /** The filters that narrowed the list, keyed as FindingFilters names them (empty ones left out). */
  appliedFilters: Record<string, unknown>;
}

export interface FindingResource {
  id: string;
  kind: string;
  name: string;
  externalRef: string | null;
}

export interface FindingEvent {
  at: number;
  actor: string;
  action: string;
  fromStatus: StatusName | null;
  toStatus: StatusName | null;
  comment: string | null;
}

export interface FindingControl {
  id: string;
  framework: string;
  frameworkName: string;
  controlRef: string;
  title: string;
  category: string;
  profile: string | null;
}

export interface FindingDetail extends FindingSummary {
  tenantName: string;
  description: string;
  types: string[];
  remediation: string;
  control: FindingControl | null;
  resources: FindingResource[];
  history: FindingEvent[];
  suppression: { reason: string | null; justification: string | null; until: number | null; expired: boolean } | null;
  resolution: { note: string | null; evidence: string | null; resolvedAt: number | null } | null;
}

export function toSummary(
  f: FindingRow,
  control: Pick<ControlRow, "framework" | "controlRef"> | null,
  resourceCount: number,
  now: number,
): FindingSummary {
  const statusId = effectiveStatusId(f, now);
  return {
    id: f.id,
    tenantId: f.tenantId,
    uid: f.uid,
    title: f.title,
    classUid: f.classUid,
    className: CLASS_CAPTIONS[f.classUid] ?? "Finding",
    severity: severityCaption(f.severityId),
    severityId: f.severityId,
    status: statusCaption(statusId),
    statusId,
    complianceStatus: f.complianceStatusId === null ? null : (COMPLIANCE_CAPTIONS[f.complianceStatusId] ?? null),
    source: f.source,
    framework: control?.framework ?? null,
    controlRef: control?.controlRef ?? null,
    assignee: f.assigneeName,
    riskScore: f.riskScore,
    firstSeen: f.firstSeenAt,
    lastSeen: f.lastSeenAt,
    suppressedUntil: statusId === STATUS.SUPPRESSED ? f.suppressedUntil : null,
    resourceCount,
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

/**
 * Ordered by severity (worst first), then id; keyset-paginated so pages stay stable while findings change state.
 * `fit` says how many of the page's items the caller can carry (a result-size budget; default all of them): the
 * page ends there and its cursor continues exactly after the last item kept.
 */
export async function listFindings(
  db: DbLike,
  scope: TenantScope,
  filters: FindingFilters,
  page: { cursor?: string; limit?: number; fit?: (items: readonly FindingSummary[]) => number },
  now: number,
): Promise<FindingPage> {
  const limit = pageLimit(page.limit);
  if (filters.tenantId !== undefined)
    filters = { ...filters, tenantId: (await resolveTenant(db, scope, filters.tenantId)).id };
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
  const rows = await selectSummaryRows(db)
    .where(and(...conds))
    .orderBy(desc(aegisFindings.severityId), asc(aegisFindings.id))
    .limit(limit + 1);
  const summaries = rows.slice(0, limit).map((r) => summaryOfRow(r, now));
  const items = summaries.slice(0, page.fit ? page.fit(summaries) : summaries.length);
  const more = rows.length > items.length;
  const last = items[items.length - 1];
  const applied: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filters))
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) applied[k] = v;
  return {
    items,
    nextCursor: more && last ? encodeCursor("aegis.findings", [last.severityId, last.id]) : null,
    total: Number(total?.n ?? 0),
    appliedFilters: applied,
  };
}

/** Findings with their control's framework and reference and their resource count: what a summary shows. */
function selectSummaryRows(db: DbLike) {
  return db
    .select({
      finding: aegisFindings,
      framework: aegisControls.framework,
      controlRef: aegisControls.controlRef,
      resources: sql<number>`(SELECT count(*) FROM ${aegisFindingResources} WHERE ${aegisFindingResources.findingId} = ${aegisFindings.id})`,
    })
    .from(aegisFindings)
    .leftJoin(aegisControls, eq(aegisControls.id, aegisFindings.controlId));
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof selectSummaryRows>["where"]>>[number];

function summaryOfRow(r: SummaryRow, now: number): FindingSummary {
  const control = r.framework && r.controlRef ? { framework: r.framework, controlRef: r.controlRef } : null;
  return toSummary(r.finding, control, Number(r.resources), now);
}

/** Summaries of findings matching `where` (already scoped by the caller), worst first, at most `limit`. */
export async function listFindingSummaries(
  db: DbLike,
  where: SQL | undefined,
  limit: number,
  now: number,
): Promise<FindingSummary[]> {
  const rows = await selectSummaryRows(db)
    .where(where)
    .orderBy(desc(aegisFindings.severityId), asc(aegisFindings.id))
    .limit(limit);
  return rows.map((r) => summaryOfRow(r, now));
}

/**
 * One finding's summary as aegis_list_findings shows it (framework, control reference, resource count), admitted
 * through the caller's scope: what a suppression or resolution proposal presents.
 */
export async function loadFindingSummary(
  db: DbLike,
  scope: TenantScope,
  findingId: string,
  now: number,
): Promise<FindingSummary> {
  const [row] = await selectSummaryRows(db).where(eq(aegisFindings.id, findingId)).limit(1);
  const finding = scope.admit(row?.finding, "finding", findingId);
  return summaryOfRow({ ...(row as SummaryRow), finding }, now);
}

/** The finding, admitted through the caller's scope (another tenant's reads as not found or not permitted). */
export async function loadFinding(db: DbLike, scope: TenantScope, findingId: string): Promise<FindingRow> {
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
    tenantName: tenant?.name ?? f.tenantId,
    description: f.description,
    types: JSON.parse(f.types) as string[],
    remediation: f.remediation,
    control: control
      ? {
          id: control.id,
          framework: control.framework,
          frameworkName: FRAMEWORK_NAMES[control.framework as Framework] ?? control.framework,
          controlRef: control.controlRef,
          title: control.title,
          category: control.category,
          profile: control.profile,
        }
      : null,
    resources: resources.map(({ r }) => ({ id: r.id, kind: r.kind, name: r.name, externalRef: r.externalRef })),
    history: events.map((e) => ({
      at: e.at,
      actor: e.actorName,
      action: e.action,
      fromStatus: statusOf(e.fromStatusId),
      toStatus: statusOf(e.toStatusId),
      comment: e.comment,
    })),
    suppression:
      f.suppressionReason !== null
        ? {
            reason: f.suppressionReason,
            justification: f.suppressionJustification,
            until: f.suppressedUntil,
            expired: f.statusId === STATUS.SUPPRESSED && effectiveStatusId(f, now) !== STATUS.SUPPRESSED,
          }
        : null,
    resolution:
      f.resolvedAt !== null || f.resolutionNote !== null
        ? { note: f.resolutionNote, evidence: f.resolutionEvidence, resolvedAt: f.resolvedAt }
        : null,
  };
}
