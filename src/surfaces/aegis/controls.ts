import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { DbLike } from "../../store/index";
import { aegisControls, aegisFindings } from "../../store/schema/aegis";
import { NotFoundError, type TenantScope } from "../../tenancy/scope";
import { decodeCursor, encodeCursor } from "../kit/cursor";
import { pageLimit } from "../kit/page";
import { effectiveStatusId } from "./effective-status";
import { AegisError } from "./errors";
import { type ControlRow, type FindingSummary, listFindingSummaries } from "./findings";
import { FRAMEWORK_NAMES, type Framework, STATUS } from "./ocsf";
import { resolveTenant } from "./tenants";

/**
 * Framework controls: the shared catalogue (CIS Microsoft 365 Foundations, CIS Controls v8.1,
 * https://www.cisecurity.org/controls/v8-1, Secure Score actions, CIS Windows Server 2022) and a tenant's
 * standing on each, derived from the findings mapped to it.
 */

export type ControlStanding = "pass" | "fail" | "risk_accepted" | "not_assessed";

export interface ControlSummary {
  id: string;
  framework: string;
  controlRef: string;
  title: string;
  category: string;
  profile: string | null;
  maxScore: number;
  implementationCost: string;
  userImpact: string;
  /** Only when a tenant was given. */
  tenantStatus: ControlStanding | null;
  openFindings: number | null;
}

export interface ControlDetail extends ControlSummary {
  frameworkName: string;
  description: string;
  rationale: string;
  remediation: string;
  findings: FindingSummary[];
}

export interface ControlPage {
  items: ControlSummary[];
  nextCursor: string | null;
  total: number;
  tenantId: string | null;
}

export interface ControlFilters {
  tenantId?: string;
  framework?: Framework;
  category?: string;
  profile?: string;
  status?: ControlStanding;
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
    .where(and(scope.whereTenant(aegisFindings.tenantId, tenantId), inArray(aegisFindings.controlId, controlIds)));
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
    controlRef: c.controlRef,
    title: c.title,
    category: c.category,
    profile: c.profile,
    maxScore: c.maxScore,
    implementationCost: c.implementationCost,
    userImpact: c.userImpact,
    tenantStatus: withTenant ? standingOf(statuses ?? []) : null,
    openFindings: withTenant
      ? (statuses ?? []).filter((s) => s === STATUS.NEW || s === STATUS.IN_PROGRESS).length
      : null,
  };
}

/** Controls are the shared catalogue; offset-paginated (the catalogue is static), filtered by standing in memory. */
export async function listControls(
  db: DbLike,
  scope: TenantScope,
  filters: ControlFilters,
  page: { cursor?: string; limit?: number },
  now: number,
): Promise<ControlPage> {
  const limit = pageLimit(page.limit);
  if (filters.status && !filters.tenantId)
    throw new AegisError("invalid_input", "status filters a tenant's standing: pass tenant_id too");
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
  if (filters.status) items = items.filter((c) => c.tenantStatus === filters.status);
  const [offset] = decodeCursor("aegis.controls", page.cursor, ["count"]) ?? [0];
  return {
    items: items.slice(offset, offset + limit),
    nextCursor: offset + limit < items.length ? encodeCursor("aegis.controls", [offset + limit]) : null,
    total: items.length,
    tenantId: tenant?.id ?? null,
  };
}

export async function getControl(
  db: DbLike,
  scope: TenantScope,
  input: { controlId?: string; framework?: Framework; controlRef?: string; tenantId?: string },
  now: number,
): Promise<ControlDetail> {
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
    throw new AegisError("invalid_input", "pass control_id, or framework together with control_ref");
  }
  if (!control) throw new NotFoundError("control", input.controlId ?? `${input.framework}:${input.controlRef}`);
  const tenant = input.tenantId ? await resolveTenant(db, scope, input.tenantId) : null;
  const conds: SQL[] = [scope.where(aegisFindings.tenantId), eq(aegisFindings.controlId, control.id)];
  if (tenant) conds.push(eq(aegisFindings.tenantId, tenant.id));
  const findings = await listFindingSummaries(db, and(...conds), 50, now);
  const map = tenant ? await standings(db, scope, tenant.id, [control.id], now) : new Map<string, number[]>();
  const found = control;
  return {
    ...controlSummary(found, map.get(found.id), tenant !== null),
    frameworkName: FRAMEWORK_NAMES[found.framework as Framework] ?? found.framework,
    description: found.description,
    rationale: found.rationale,
    remediation: found.remediation,
    findings,
  };
}
