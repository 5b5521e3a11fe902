import { planFindingsImport, type TenantFinding } from "../../surfaces/aegis/findings-import";
import { parseOcsfFindings } from "../../surfaces/aegis/ocsf-import";
import { resolveTenantRef, UnknownTenantError } from "../../tenancy/resolve";
import { CrossTenantError } from "../../tenancy/scope";
import { decodeImportBytes } from "../decode";
import { type ImportKind, sourceBytes, type TenantRow } from "../kind";
import type { ImportProblem } from "../report";

/**
 * `findings`: OCSF 1.x Vulnerability, Compliance and Detection Findings (JSON lines or a JSON array) into aegis. The
 * OCSF mapping and the import rules live with aegis (src/surfaces/aegis/ocsf-import.ts, findings-import.ts); this
 * file resolves each record's tenant (metadata.tenant_uid, else --tenant) in the caller's scope and reports.
 */
export const findingsKind: ImportKind = {
  name: "findings",
  summary:
    "OCSF 1.x findings (classes 2002, 2003, 2004) as JSON lines or a JSON array; upsert on (tenant, " +
    "metadata.product.name, finding_info.uid); --full-scan resolves the open findings of each scanner the file omits",
  // Measured: a 10 MiB file (11k findings, all new) writes in ~1.3 s of CPU (2-4 s wall on a loaded 2-core host);
  // 20 MiB took twice that, too close to other processes' 5 s busy timeout.
  maxBytes: 10 * 1024 * 1024,
  accept: ".json,.jsonl,.ndjson,application/json,application/x-ndjson",
  flags: {
    "full-scan": {
      type: "boolean",
      description:
        "the file is a complete scan: open findings of each (tenant, scanner) in it that it no longer contains are resolved",
    },
  },
  async prepare(source, ctx) {
    const decoded = decodeImportBytes(sourceBytes(source), ctx.encoding);
    if (!decoded.ok) return { ok: false, records: 0, problems: [decoded.problem] };
    const parsed = parseOcsfFindings(decoded.text);
    if (!parsed.ok) return { ok: false, records: parsed.records, problems: parsed.problems };
    const problems: ImportProblem[] = [];
    const denied = new Set<string>();
    const resolved = new Map<string, TenantRow | string>();
    const findings: TenantFinding[] = [];
    for (const f of parsed.findings) {
      const where = { ...(f.line !== undefined ? { line: f.line } : {}), pointer: `${f.pointer}/metadata/tenant_uid` };
      if (f.tenantRef === null) {
        if (ctx.target) findings.push({ ...f, tenantId: ctx.target.id });
        else problems.push({ ...where, message: "no tenant: set metadata.tenant_uid or name one with --tenant" });
        continue;
      }
      let hit = resolved.get(f.tenantRef.toLowerCase());
      if (hit === undefined) {
        try {
          hit = resolveTenantRef(ctx.scope, ctx.tenants, f.tenantRef);
        } catch (err) {
          if (!(err instanceof CrossTenantError || err instanceof UnknownTenantError)) throw err;
          if (err instanceof CrossTenantError) denied.add(f.tenantRef);
          hit = err.message;
        }
        resolved.set(f.tenantRef.toLowerCase(), hit);
      }
      if (typeof hit === "string") problems.push({ ...where, message: `"${f.tenantRef}": ${hit}` });
      else findings.push({ ...f, tenantId: hit.id });
    }
    if (problems.length > 0) return { ok: false, records: parsed.records, problems, deniedTenants: [...denied] };
    const plan = await planFindingsImport(ctx.db, {
      findings,
      fullScan: ctx.flags["full-scan"] === true,
      actor: ctx.actor,
      now: ctx.now,
    });
    // The control catalogue is shared by every tenant on the appliance, so only MSP staff may add to it.
    const home = ctx.tenants.find((t) => t.id === ctx.homeTenantId);
    const staff = ctx.homeTenantId === null || ctx.scope.principal.role === "platform_admin" || home?.kind === "msp";
    if (!staff && plan.createdControls.length > 0)
      return {
        ok: false,
        records: parsed.records,
        problems: plan.createdControls.map((c) => ({
          message: `control ${c.controlRef} of "${c.framework}" is not in the catalogue, and only MSP staff may add controls to it; ask your MSP to import this file`,
        })),
      };
    const notes = [
      ...plan.createdControls.map(
        (c) => `control ${c.controlRef} was not in the catalogue: created under framework "${c.framework}"`,
      ),
      ...plan.reopened.map((r) => `reopened: ${r.source} ${r.uid} (${r.tenantId}) was resolved and is detected again`),
      ...plan.resolvedByScan.map(
        (r) => `resolved by scan: ${r.source} ${r.uid} (${r.tenantId}) is no longer in the full scan`,
      ),
    ];
    return {
      ok: true,
      plan: {
        records: parsed.records,
        counts: plan.counts,
        tenantIds: plan.tenantIds,
        notes,
        auditDetail: {
          created_controls: plan.createdControls.slice(0, 50),
          reopened: plan.reopened.slice(0, 100),
          resolved_by_scan: plan.resolvedByScan.length,
          ...(ctx.flags["full-scan"] === true ? { full_scan: true } : {}),
        },
        empty: plan.empty,
        write: plan.write,
      },
    };
  },
};
