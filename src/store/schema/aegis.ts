import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { tenantIdColumn } from "./tenancy";

/**
 * aegis: security posture and findings, stored OCSF-shaped (OCSF 1.x Finding classes) so the evidence
 * export can emit OCSF JSON lines without a translation table.
 *
 * Framework controls are reference data (the CIS / Secure Score catalogue is the same for every tenant), so
 * `aegis_controls` carries no tenant_id; a tenant's standing on a control is derived from that tenant's
 * findings. Every other table is a business table and carries tenant_id.
 */
export const aegisControls = sqliteTable(
  "aegis_controls",
  {
    id: text("id").primaryKey(),
    /** cis_m365_v5 | cis_v8 | ms_secure_score | cis_win2022 */
    framework: text("framework").notNull(),
    /** e.g. "1.1.3" (CIS M365), "6.5" (CIS v8 safeguard), "AdminMFAV2" (Secure Score) */
    controlRef: text("control_ref").notNull(),
    title: text("title").notNull(),
    /** Identity | Device | Data | Apps | Infrastructure (Secure Score's controlCategory) */
    category: text("category").notNull(),
    /** L1 | L2 | IG1 | IG2 | IG3, or null when the framework has no profile */
    profile: text("profile"),
    description: text("description").notNull(),
    rationale: text("rationale").notNull(),
    remediation: text("remediation").notNull(),
    maxScore: integer("max_score").notNull().default(0),
    /** low | moderate | high */
    implementationCost: text("implementation_cost").notNull(),
    userImpact: text("user_impact").notNull(),
  },
  (t) => [
    uniqueIndex("aegis_controls_ref_uq").on(t.framework, t.controlRef),
    index("aegis_controls_category_idx").on(t.category),
  ],
);

/** Things a finding is about: the M365 tenant, a user, a mailbox, a device, a domain, a server. */
export const aegisResources = sqliteTable(
  "aegis_resources",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    /** m365_tenant | user | mailbox | device | domain | server */
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    externalRef: text("external_ref"),
  },
  (t) => [
    index("aegis_resources_tenant_idx").on(t.tenantId),
    // Imported resources are matched on (tenant, kind, OCSF resources[].uid).
    index("aegis_resources_ref_idx").on(t.tenantId, t.kind, t.externalRef),
  ],
);

export const aegisFindings = sqliteTable(
  "aegis_findings",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    /** OCSF finding_info.uid: the scanner's dedupe key, unique per tenant and source. */
    uid: text("uid").notNull(),
    /** OCSF class_uid: 2002 Vulnerability Finding, 2003 Compliance Finding, 2004 Detection Finding. */
    classUid: integer("class_uid").notNull(),
    /**
     * The scanner that reported it, any name (OCSF metadata.product.name for imported findings; the demo uses
     * secure_score, cis_m365, wazuh_sca, defender, itdr). Two scanners may use the same finding uid.
     */
    source: text("source").notNull(),
    controlId: text("control_id").references(() => aegisControls.id),
    title: text("title").notNull(),
    description: text("description").notNull(),
    /** JSON array of OCSF finding_info.types */
    types: text("types").notNull().default("[]"),
    /** OCSF severity_id: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal. */
    severityId: integer("severity_id").notNull(),
    /** OCSF status_id: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved. */
    statusId: integer("status_id").notNull(),
    /** OCSF compliance.status_id for class 2003: 1 Pass, 2 Warning, 3 Fail. */
    complianceStatusId: integer("compliance_status_id"),
    remediation: text("remediation").notNull(),
    riskScore: integer("risk_score").notNull().default(0),
    assigneeUserId: text("assignee_user_id"),
    assigneeName: text("assignee_name"),
    /** accepted_risk | third_party | false_positive */
    suppressionReason: text("suppression_reason"),
    suppressionJustification: text("suppression_justification"),
    /** A suppression lapses at this instant: the finding reads as New again (OCSF status 1) from then on. */
    suppressedUntil: integer("suppressed_until"),
    resolutionNote: text("resolution_note"),
    resolutionEvidence: text("resolution_evidence"),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    resolvedAt: integer("resolved_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("aegis_findings_source_uid_uq").on(t.tenantId, t.source, t.uid),
    index("aegis_findings_tenant_status_idx").on(t.tenantId, t.statusId, t.severityId),
    index("aegis_findings_control_idx").on(t.controlId),
  ],
);

export const aegisFindingResources = sqliteTable(
  "aegis_finding_resources",
  {
    findingId: text("finding_id")
      .notNull()
      .references(() => aegisFindings.id),
    resourceId: text("resource_id")
      .notNull()
      .references(() => aegisResources.id),
    tenantId: tenantIdColumn(),
  },
  (t) => [
    primaryKey({ columns: [t.findingId, t.resourceId] }),
    index("aegis_finding_resources_resource_idx").on(t.resourceId),
  ],
);

/** The finding's history (OCSF notes + activity): every status change, assignment and note. Append-only. */
export const aegisFindingEvents = sqliteTable(
  "aegis_finding_events",
  {
    id: text("id").primaryKey(),
    findingId: text("finding_id")
      .notNull()
      .references(() => aegisFindings.id),
    tenantId: tenantIdColumn(),
    actorUserId: text("actor_user_id"),
    actorName: text("actor_name").notNull(),
    /** detected | acknowledged | assigned | noted | suppressed | resolved | reopened | rescanned */
    action: text("action").notNull(),
    fromStatusId: integer("from_status_id"),
    toStatusId: integer("to_status_id"),
    comment: text("comment"),
    at: integer("at").notNull(),
  },
  (t) => [index("aegis_finding_events_finding_idx").on(t.findingId, t.at)],
);

/** One Secure-Score-style snapshot per tenant per UTC day (Graph keeps 90). */
export const aegisPostureSnapshots = sqliteTable(
  "aegis_posture_snapshots",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    /** YYYY-MM-DD (UTC) */
    day: text("day").notNull(),
    capturedAt: integer("captured_at").notNull(),
    score: integer("score").notNull(),
    maxScore: integer("max_score").notNull(),
    /** JSON array [{ category, score, max_score }] */
    byCategory: text("by_category").notNull(),
  },
  (t) => [uniqueIndex("aegis_posture_day_uq").on(t.tenantId, t.day)],
);

/** Secure Score "improvement actions" (secureScoreControlProfile + controlStateUpdates) per tenant. */
export const aegisImprovementActions = sqliteTable(
  "aegis_improvement_actions",
  {
    id: text("id").primaryKey(),
    tenantId: tenantIdColumn(),
    controlId: text("control_id").references(() => aegisControls.id),
    title: text("title").notNull(),
    category: text("category").notNull(),
    /** Config | Review | Behavior */
    actionType: text("action_type").notNull(),
    /** Entra ID | Exchange | Intune | Defender | SharePoint | Windows */
    service: text("service").notNull(),
    score: integer("score").notNull(),
    maxScore: integer("max_score").notNull(),
    implementationCost: text("implementation_cost").notNull(),
    userImpact: text("user_impact").notNull(),
    /** Core | Defense in Depth | Advanced */
    tier: text("tier").notNull(),
    rank: integer("rank").notNull(),
    /** Default | Reviewed | Ignored | ThirdParty | Completed */
    state: text("state").notNull(),
    remediation: text("remediation").notNull(),
  },
  (t) => [index("aegis_actions_tenant_idx").on(t.tenantId, t.rank)],
);
