import { type } from "arktype";
import { pageOut, presentPage } from "../kit/page-wire";
import type { ControlDetail, ControlPage, ControlSummary } from "./controls";
import type { EvidencePack } from "./evidence";
import type { ResolutionPlan, SuppressPlan } from "./finding-workflow";
import type { FindingDetail, FindingPage, FindingSummary } from "./findings";
import type { CategoryScore, ImprovementAction, PostureSummary, PostureTrend, TenantPosture } from "./posture";

/**
 * The wire shapes of aegis results (snake_case, what structuredContent carries), each declared once with the
 * arktype that validates it, and the presenters that build them from the services' domain values. Timestamps are
 * ISO 8601 UTC; severities and statuses are OCSF captions beside their ids (https://schema.ocsf.io/).
 */

const Iso = "string";
const IsoOrNull = "string | null";
const nullableString = "string | null";

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

export const SeverityName = type("'Informational' | 'Low' | 'Medium' | 'High' | 'Critical' | 'Fatal'");
export const StatusName = type("'New' | 'In Progress' | 'Suppressed' | 'Resolved'");
export const ClassName = type("'compliance' | 'vulnerability' | 'detection'");

export const TenantPostureOut = type({
  tenant_id: "string",
  name: "string",
  kind: "string",
  percent: "number | null",
  as_of: IsoOrNull,
  open_critical_high: "number.integer",
  open_total: "number.integer",
});

export function presentTenantPosture(t: TenantPosture): typeof TenantPostureOut.infer {
  return {
    tenant_id: t.tenantId,
    name: t.name,
    kind: t.kind,
    percent: t.percent,
    as_of: isoOrNull(t.asOf),
    open_critical_high: t.openCriticalHigh,
    open_total: t.openTotal,
  };
}

export const CategoryScoreOut = type({ category: "string", score: "number", max_score: "number", percent: "number" });

function presentCategory(c: CategoryScore): typeof CategoryScoreOut.infer {
  return { category: c.category, score: c.score, max_score: c.maxScore, percent: c.percent };
}

export const ImprovementActionOut = type({
  id: "string",
  title: "string",
  category: "string",
  service: "string",
  action_type: "string",
  tier: "string",
  score: "number",
  max_score: "number",
  points_available: "number",
  implementation_cost: "string",
  user_impact: "string",
  state: "string",
  remediation: "string",
  control_ref: nullableString,
});

function presentAction(a: ImprovementAction): typeof ImprovementActionOut.infer {
  return {
    id: a.id,
    title: a.title,
    category: a.category,
    service: a.service,
    action_type: a.actionType,
    tier: a.tier,
    score: a.score,
    max_score: a.maxScore,
    points_available: a.pointsAvailable,
    implementation_cost: a.implementationCost,
    user_impact: a.userImpact,
    state: a.state,
    remediation: a.remediation,
    control_ref: a.controlRef,
  };
}

export const PostureSummaryOut = type({
  tenant_id: "string",
  tenant_name: "string",
  as_of: Iso,
  score: "number",
  max_score: "number",
  percent: "number",
  change_30d_points: "number | null",
  by_category: CategoryScoreOut.array(),
  top_improvement_actions: ImprovementActionOut.array(),
  open_findings_by_severity: type({
    severity: "string",
    severity_id: "number.integer",
    count: "number.integer",
  }).array(),
  open_findings_total: "number.integer",
  note: "string",
});
export type PostureSummaryWire = typeof PostureSummaryOut.infer;

export function presentPostureSummary(s: PostureSummary): PostureSummaryWire {
  return {
    tenant_id: s.tenantId,
    tenant_name: s.tenantName,
    as_of: iso(s.asOf),
    score: s.score,
    max_score: s.maxScore,
    percent: s.percent,
    change_30d_points: s.change30dPoints,
    by_category: s.byCategory.map(presentCategory),
    top_improvement_actions: s.topImprovementActions.map(presentAction),
    open_findings_by_severity: s.openFindingsBySeverity.map((c) => ({
      severity: c.severity,
      severity_id: c.severityId,
      count: c.count,
    })),
    open_findings_total: s.openFindingsTotal,
    note: s.note,
  };
}

export const PostureTrendOut = type({
  tenant_id: "string",
  tenant_name: "string",
  interval: "'day' | 'week' | 'month'",
  from: Iso,
  to: Iso,
  points: type({ date: "string", score: "number", max_score: "number", percent: "number" }).array(),
  start_percent: "number | null",
  end_percent: "number | null",
  change_points: "number | null",
  min_percent: "number | null",
  max_percent: "number | null",
  by_category_change: type({ category: "string", start_percent: "number", end_percent: "number" }).array(),
});
export type PostureTrendWire = typeof PostureTrendOut.infer;

export function presentPostureTrend(t: PostureTrend): PostureTrendWire {
  return {
    tenant_id: t.tenantId,
    tenant_name: t.tenantName,
    interval: t.interval,
    from: iso(t.from),
    to: iso(t.to),
    points: t.points.map((p) => ({ date: p.date, score: p.score, max_score: p.maxScore, percent: p.percent })),
    start_percent: t.startPercent,
    end_percent: t.endPercent,
    change_points: t.changePoints,
    min_percent: t.minPercent,
    max_percent: t.maxPercent,
    by_category_change: t.byCategoryChange.map((c) => ({
      category: c.category,
      start_percent: c.startPercent,
      end_percent: c.endPercent,
    })),
  };
}

export const FindingSummaryOut = type({
  id: "string",
  tenant_id: "string",
  uid: "string",
  title: "string",
  class_uid: "number.integer",
  class_name: "string",
  severity: "string",
  severity_id: "number.integer",
  status: StatusName,
  status_id: "number.integer",
  compliance_status: nullableString,
  source: "string",
  framework: nullableString,
  control_ref: nullableString,
  assignee: nullableString,
  risk_score: "number",
  first_seen: Iso,
  last_seen: Iso,
  suppressed_until: IsoOrNull,
  resource_count: "number.integer",
});
export type FindingSummaryWire = typeof FindingSummaryOut.infer;

export function presentFindingSummary(f: FindingSummary): FindingSummaryWire {
  return {
    id: f.id,
    tenant_id: f.tenantId,
    uid: f.uid,
    title: f.title,
    class_uid: f.classUid,
    class_name: f.className,
    severity: f.severity,
    severity_id: f.severityId,
    status: f.status,
    status_id: f.statusId,
    compliance_status: f.complianceStatus,
    source: f.source,
    framework: f.framework,
    control_ref: f.controlRef,
    assignee: f.assignee,
    risk_score: f.riskScore,
    first_seen: iso(f.firstSeen),
    last_seen: iso(f.lastSeen),
    suppressed_until: isoOrNull(f.suppressedUntil),
    resource_count: f.resourceCount,
  };
}

/**
 * A finding in one phrase for a proposal's summary: what it is, whose, which control it fails and how many
 * resources it touches, so the person approving sees the same facts aegis_get_finding shows.
 */
export function describeFinding(f: FindingSummary): string {
  const control = f.framework && f.controlRef ? `control ${f.framework} ${f.controlRef}` : "no mapped control";
  const resources = `${f.resourceCount} affected resource${f.resourceCount === 1 ? "" : "s"}`;
  return `${f.severity} finding "${f.title}" (${f.id}, tenant ${f.tenantId}, ${control}, ${resources})`;
}

export const FindingPageOut = pageOut(FindingSummaryOut).merge({
  total: "number.integer",
  applied_filters: "Record<string, unknown>",
});

export function presentFindingPage(p: FindingPage): typeof FindingPageOut.infer {
  return { ...presentPage(p, presentFindingSummary), total: p.total, applied_filters: p.appliedFilters };
}

export const FindingDetailOut = FindingSummaryOut.merge({
  tenant_name: "string",
  description: "string",
  types: "string[]",
  remediation: "string",
  control: type({
    id: "string",
    framework: "string",
    framework_name: "string",
    control_ref: "string",
    title: "string",
    category: "string",
    profile: nullableString,
  }).or("null"),
  resources: type({ id: "string", kind: "string", name: "string", external_ref: nullableString }).array(),
  history: type({
    at: Iso,
    actor: "string",
    action: "string",
    from_status: nullableString,
    to_status: nullableString,
    comment: nullableString,
  }).array(),
  suppression: type({
    reason: nullableString,
    justification: nullableString,
    until: IsoOrNull,
    expired: "boolean",
  }).or("null"),
  resolution: type({ note: nullableString, evidence: nullableString, resolved_at: IsoOrNull }).or("null"),
});
export type FindingDetailWire = typeof FindingDetailOut.infer;

export function presentFindingDetail(f: FindingDetail): FindingDetailWire {
  const c = f.control;
  return {
    ...presentFindingSummary(f),
    tenant_name: f.tenantName,
    description: f.description,
    types: f.types,
    remediation: f.remediation,
    control: c
      ? {
          id: c.id,
          framework: c.framework,
          framework_name: c.frameworkName,
          control_ref: c.controlRef,
          title: c.title,
          category: c.category,
          profile: c.profile,
        }
      : null,
    resources: f.resources.map((r) => ({ id: r.id, kind: r.kind, name: r.name, external_ref: r.externalRef })),
    history: f.history.map((e) => ({
      at: iso(e.at),
      actor: e.actor,
      action: e.action,
      from_status: e.fromStatus,
      to_status: e.toStatus,
      comment: e.comment,
    })),
    suppression: f.suppression && { ...f.suppression, until: isoOrNull(f.suppression.until) },
    resolution: f.resolution && {
      note: f.resolution.note,
      evidence: f.resolution.evidence,
      resolved_at: isoOrNull(f.resolution.resolvedAt),
    },
  };
}

/** The proposal a suppression preview shows (the confirmation round-trip echoes it). */
export function presentSuppressPlan(p: SuppressPlan) {
  return {
    finding: presentFindingSummary(p.finding),
    from_status: p.fromStatus,
    to_status: p.toStatus,
    reason: p.reason,
    justification: p.justification,
    expires_at: iso(p.expiresAt),
    days: p.days,
  };
}

/** The proposal a resolution preview shows. */
export function presentResolutionPlan(p: ResolutionPlan) {
  return {
    finding: presentFindingSummary(p.finding),
    from_status: p.fromStatus,
    to_status: p.toStatus,
    resolution_note: p.resolutionNote,
    evidence: p.evidence,
    note: p.note,
  };
}

export const ControlSummaryOut = type({
  id: "string",
  framework: "string",
  control_ref: "string",
  title: "string",
  category: "string",
  profile: nullableString,
  max_score: "number",
  implementation_cost: "string",
  user_impact: "string",
  tenant_status: "'pass' | 'fail' | 'risk_accepted' | 'not_assessed' | null",
  open_findings: "number.integer | null",
});

export function presentControlSummary(c: ControlSummary): typeof ControlSummaryOut.infer {
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
    tenant_status: c.tenantStatus,
    open_findings: c.openFindings,
  };
}

export const ControlPageOut = pageOut(ControlSummaryOut).merge({ total: "number.integer", tenant_id: "string | null" });

export function presentControlPage(p: ControlPage): typeof ControlPageOut.infer {
  return { ...presentPage(p, presentControlSummary), total: p.total, tenant_id: p.tenantId };
}

export const ControlDetailOut = ControlSummaryOut.merge({
  framework_name: "string",
  description: "string",
  rationale: "string",
  remediation: "string",
  findings: FindingSummaryOut.array(),
});

export function presentControlDetail(c: ControlDetail): typeof ControlDetailOut.infer {
  return {
    ...presentControlSummary(c),
    framework_name: c.frameworkName,
    description: c.description,
    rationale: c.rationale,
    remediation: c.remediation,
    findings: c.findings.map(presentFindingSummary),
  };
}

export const EvidencePackOut = type({
  tenant_id: "string",
  tenant_name: "string",
  format: "'csv' | 'ocsf_jsonl'",
  framework: "string | null",
  period_start: Iso,
  period_end: Iso,
  generated_at: Iso,
  finding_count: "number.integer",
  included_count: "number.integer",
  truncated: "boolean",
  sha256: "string",
  content_chars: "number.integer",
  content: "string",
  posture: type({ start_percent: "number | null", end_percent: "number | null" }),
});

export function presentEvidencePack(e: EvidencePack): typeof EvidencePackOut.infer {
  return {
    tenant_id: e.tenantId,
    tenant_name: e.tenantName,
    format: e.format,
    framework: e.framework,
    period_start: iso(e.periodStart),
    period_end: iso(e.periodEnd),
    generated_at: iso(e.generatedAt),
    finding_count: e.findingCount,
    included_count: e.includedCount,
    truncated: e.truncated,
    sha256: e.sha256,
    content_chars: e.contentChars,
    content: e.content,
    posture: { start_percent: e.posture.startPercent, end_percent: e.posture.endPercent },
  };
}
