import { and, asc, desc, eq, gte, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { sha256Hex } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import { aegisControls, aegisFindingResources, aegisFindings, aegisResources } from "../../store/schema/aegis";
import type { TenantScope } from "../../tenancy/scope";
import { effectiveStatusId } from "./effective-status";
import { AegisError } from "./errors";
import { CSV_RECORD_SEPARATOR, csvRecord, EVIDENCE_CSV_COLUMNS } from "./evidence-csv";
import type { ControlRow, FindingRow } from "./findings";
import {
  CLASS_CAPTIONS,
  CLASS_KEYS,
  CLASS_UIDS,
  COMPLIANCE_CAPTIONS,
  FRAMEWORK_NAMES,
  type Framework,
  STATUS,
  severityCaption,
  statusCaption,
} from "./ocsf";
import { getPostureTrend } from "./posture";
import { resolveTenant, type TenantSummary } from "./tenants";

/**
 * Keep the inline content well under the 150,000-character result budget: the result travels twice
 * (structuredContent and its JSON text, where escaping adds a little), plus the envelope.
 */
export const EVIDENCE_MAX_CHARS = 40_000;

export type EvidenceFormat = "csv" | "ocsf_jsonl";

export interface EvidencePack {
  tenantId: string;
  tenantName: string;
  format: EvidenceFormat;
  framework: string | null;
  periodStart: number;
  periodEnd: number;
  generatedAt: number;
  findingCount: number;
  includedCount: number;
  truncated: boolean;
  sha256: string;
  contentChars: number;
  content: string;
  posture: { startPercent: number | null; endPercent: number | null };
}

type ResourceRow = typeof aegisResources.$inferSelect;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function csvLine(f: FindingRow, c: ControlRow | null, res: ResourceRow[], statusId: number): string {
  return csvRecord([
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
    iso(f.firstSeenAt),
    iso(f.lastSeenAt),
    iso(f.resolvedAt),
    statusId === STATUS.SUPPRESSED ? iso(f.suppressedUntil) : null,
    f.assigneeName,
    f.resolutionNote,
  ]);
}

/**
 * Evidence of the tenant's findings that were open at any time in the period: CSV (RFC 4180) or OCSF 1.x
 * Finding events as JSON lines (one object per finding, class_uid 2002/2003/2004). The sha256 is over exactly
 * the returned `content` (UTF-8), so an auditor can verify the copy they were given.
 */
export async function exportEvidence(
  db: DbLike,
  scope: TenantScope,
  input: { tenantId?: string; framework?: Framework; from: number; to: number; format: EvidenceFormat },
  now: number,
): Promise<EvidencePack> {
  if (input.from > input.to) throw new AegisError("invalid_period", "period_start must be before period_end");
  const tenant = await resolveTenant(db, scope, input.tenantId);
  const conds: SQL[] = [
    scope.whereTenant(aegisFindings.tenantId, tenant.id),
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
  const resourcesOf = new Map<string, ResourceRow[]>();
  for (const rr of resourceRows) resourcesOf.set(rr.findingId, [...(resourcesOf.get(rr.findingId) ?? []), rr.r]);

  // CSV records end in CRLF (RFC 4180 §2.1); JSON Lines end in LF (https://jsonlines.org/).
  const separator = input.format === "csv" ? CSV_RECORD_SEPARATOR : "\n";
  const lines: string[] = input.format === "csv" ? [EVIDENCE_CSV_COLUMNS.join(",")] : [];
  let included = 0;
  let size = lines.reduce((n, l) => n + l.length + separator.length, 0);
  let truncated = false;
  for (const { f, c } of rows) {
    const statusId = effectiveStatusId(f, now);
    const res = resourcesOf.get(f.id) ?? [];
    const line =
      input.format === "csv"
        ? csvLine(f, c, res, statusId)
        : JSON.stringify(toOcsf(f, c ?? null, res, tenant, statusId, now));
    if (size + line.length + separator.length > EVIDENCE_MAX_CHARS) {
      truncated = true;
      break;
    }
    lines.push(line);
    size += line.length + separator.length;
    included++;
  }
  const content = lines.length ? `${lines.join(separator)}${separator}` : "";
  const trend = await getPostureTrend(db, scope, {
    tenantId: tenant.id,
    from: input.from,
    to: input.to,
    interval: "month",
  }).catch(() => null);
  return {
    tenantId: tenant.id,
    tenantName: tenant.name,
    format: input.format,
    framework: input.framework ?? null,
    periodStart: input.from,
    periodEnd: input.to,
    generatedAt: now,
    findingCount: rows.length,
    includedCount: included,
    truncated,
    sha256: sha256Hex(content),
    contentChars: content.length,
    content,
    posture: { startPercent: trend?.startPercent ?? null, endPercent: trend?.endPercent ?? null },
  };
}

/**
 * One OCSF 1.3.0 Finding event (https://schema.ocsf.io/1.3.0/categories/findings, classes 2002/2003/2004),
 * activity 2 Update: the finding's state as of the export.
 */
function toOcsf(
  f: FindingRow,
  c: ControlRow | null,
  res: ResourceRow[],
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
