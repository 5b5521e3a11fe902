import { type } from "arktype";
import type { ToolContext } from "../../../mcp/define-tool";
import { MAX_LIMIT } from "../../kit/page";
import type { Actor } from "../service";
import { MAX_SUPPRESSION_DAYS } from "../ocsf";
import { Identifier } from "../../../shared/string-types";

/** Parameters and result shapes shared by the aegis tools, described once so every tool says the same thing. */

export const TenantIdArg = Identifier.describe(
  "The tenant (customer): its id or its name, case-insensitive, e.g. contosocare or ContosoCare Clinic. Optional when you can act on exactly one customer tenant; otherwise the error lists the ids you may use.",
);
export const FindingIdArg = Identifier.describe("The finding's id (fnd_…), from aegis_list_findings.");
export const CursorArg = type("0 < string <= 512").describe(
  "The next_cursor from the previous page of this same list; omit for the first page.",
);
export const LimitArg = type(`1 <= number.integer <= ${MAX_LIMIT}`).describe(
  `How many items per page: default 25, at most ${MAX_LIMIT}. A page may hold fewer to keep the result small; continue with next_cursor.`,
);
export const FrameworkArg = type("'cis_m365_v5' | 'cis_v8' | 'ms_secure_score' | 'cis_win2022'").describe(
  "Control framework: cis_m365_v5 (CIS Microsoft 365 Foundations v5), cis_v8 (CIS Controls v8.1), ms_secure_score (Microsoft Secure Score), cis_win2022 (CIS Windows Server 2022).",
);
export const SeverityName = type("'Informational' | 'Low' | 'Medium' | 'High' | 'Critical' | 'Fatal'");
export const StatusName = type("'New' | 'In Progress' | 'Suppressed' | 'Resolved'");
export const ClassName = type("'compliance' | 'vulnerability' | 'detection'");
export const IsoTimeArg = (what: string) =>
  type("0 < string <= 40").describe(
    `${what} as an ISO 8601 date or date-time (UTC), e.g. 2026-09-01 or 2026-09-01T00:00:00Z.`,
  );
export const MAX_SUPPRESSION = MAX_SUPPRESSION_DAYS;

export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export function actorOf(ctx: ToolContext): Actor {
  return { userId: ctx.principal.userId, name: ctx.principal.name };
}

const nullableString = "string | null";

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
  first_seen: "string",
  last_seen: "string",
  suppressed_until: nullableString,
  resource_count: "number.integer",
});

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
    at: "string",
    actor: "string",
    action: "string",
    from_status: nullableString,
    to_status: nullableString,
    comment: nullableString,
  }).array(),
  suppression: type({
    reason: nullableString,
    justification: nullableString,
    until: nullableString,
    expired: "boolean",
  }).or("null"),
  resolution: type({ note: nullableString, evidence: nullableString, resolved_at: nullableString }).or("null"),
});

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

export const CategoryScoreOut = type({ category: "string", score: "number", max_score: "number", percent: "number" });
