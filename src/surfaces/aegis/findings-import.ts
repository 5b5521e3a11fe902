import { and, eq, inArray } from "drizzle-orm";
import { newId, sha256Hex } from "../../shared/crypto";
import type { DbLike } from "../../store/index";
import {
  aegisControls,
  aegisFindingEvents,
  aegisFindingResources,
  aegisFindings,
  aegisResources,
} from "../../store/schema/aegis";
import { effectiveStatusId } from "./effective-status";
import { findingEvent } from "./finding-workflow";
import { AegisError } from "./errors";
import type { ControlRow, FindingRow } from "./findings";
import { DAY_MS, FRAMEWORK_NAMES, FRAMEWORKS, MAX_SUPPRESSION_DAYS, STATUS } from "./ocsf";
import type { OcsfFinding } from "./ocsf-import";
import { computePosture, UNMAPPED_CATEGORY } from "./posture-formula";
import { postureFinding, storePosture } from "./posture-refresh";

/**
 * Planning an import of OCSF findings against what is stored: every read happens here, outside the write
 * transaction, and the plan's `write` only runs statements (inserts, updates, the recomputed posture).
 *
 * Rules, per (tenant, source = metadata.product.name, finding_info.uid):
 * - a new finding is inserted as the scanner reports it;
 * - a finding seen again takes the file's title, severity, control and resources, and its last-seen time moves on;
 * - a Resolved finding reported open again is reopened (history `reopened`, counted in `reopened`);
 * - a Suppressed finding stays suppressed until its suppression lapses, whatever the scanner says;
 * - with `fullScan`, the open findings of each (tenant, source) in the file that the file no longer contains are
 *   resolved by the scan (history `resolved_by_scan`).
 */

/** Who the history rows name: the CLI operator or the admin user. */
export interface ImportActor {
  userId: string | null;
  name: string;
}

export interface TenantFinding extends OcsfFinding {
  tenantId: string;
}

export interface FindingsImportPlan {
  counts: { inserted: number; updated: number; unchanged: number };
  tenantIds: string[];
  reopened: { tenantId: string; source: string; uid: string }[];
  resolvedByScan: { tenantId: string; source: string; uid: string }[];
  createdControls: { framework: string; controlRef: string }[];
  empty: boolean;
  write(tx: DbLike): Promise<void>;
}

type FindingInsert = typeof aegisFindings.$inferInsert;
type EventInsert = typeof aegisFindingEvents.$inferInsert;
type ResourceInsert = typeof aegisResources.$inferInsert;
type LinkInsert = typeof aegisFindingResources.$inferInsert;

/** SQLite binds at most 32766 variables per statement; rows are inserted in chunks well below that. */
const CHUNK = 200;

/** The framework a compliance.standards entry names: a catalogue id or name (any case), else the name as written. */
export function frameworkOf(standard: string): string {
  const s = standard.trim().toLowerCase();
  for (const id of FRAMEWORKS) if (id === s || FRAMEWORK_NAMES[id].toLowerCase() === s) return id;
  return standard.trim();
}

function key(...parts: string[]): string {
  return JSON.stringify(parts);
}

export async function planFindingsImport(
  db: DbLike,
  input: { findings: readonly TenantFinding[]; fullScan: boolean; actor: ImportActor; now: number },
): Promise<FindingsImportPlan> {
  const { findings, actor, now } = input;
  const tenantIds = [...new Set(findings.map((f) => f.tenantId))];
  const stored =
    tenantIds.length > 0 ? await db.select().from(aegisFindings).where(inArray(aegisFindings.tenantId, tenantIds)) : [];
  const controls = await db.select().from(aegisControls);
  const resources =
    tenantIds.length > 0
      ? await db.select().from(aegisResources).where(inArray(aegisResources.tenantId, tenantIds))
      : [];
  const links =
    tenantIds.length > 0
      ? await db
          .select({ findingId: aegisFindingResources.findingId, resourceId: aegisFindingResources.resourceId })
          .from(aegisFindingResources)
          .where(inArray(aegisFindingResources.tenantId, tenantIds))
      : [];

  const byKey = new Map(stored.map((f) => [key(f.tenantId, f.source, f.uid), f]));
  const controlByRef = new Map(controls.map((c) => [key(c.framework, c.controlRef), c]));
  const controlById = new Map(controls.map((c) => [c.id, c]));
  const resourceByRef = new Map(
    resources.filter((r) => r.externalRef !== null).map((r) => [key(r.tenantId, r.kind, r.externalRef!), r.id]),
  );
  const linked = new Set(links.map((l) => key(l.findingId, l.resourceId)));

  const newControls: ControlRow[] = [];
  const newResources: ResourceInsert[] = [];
  const newLinks: LinkInsert[] = [];
  const inserts: FindingInsert[] = [];
  /** `readAt`: the row's updated_at when planned; the write only applies while it still holds. */
  const updates: { id: string; readAt: number; set: Partial<FindingInsert> }[] = [];
  const events: EventInsert[] = [];
  const reopened: FindingsImportPlan["reopened"] = [];
  const resolvedByScan: FindingsImportPlan["resolvedByScan"] = [];
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  /** Every finding of the touched tenants as it will read after the write, for the posture. */
  const after = new Map(stored.map((f) => [f.id, f]));
  const touchedTenants = new Set<string>();

  const event = (
    f: { id: string; tenantId: string },
    action: string,
    from: number | null,
    to: number | null,
    comment: string,
  ) => events.push(findingEvent(f, actor, action, from, to, comment, now));

  const controlFor = (f: TenantFinding): ControlRow | null => {
    if (!f.control) return null;
    const framework = frameworkOf(f.control.standard);
    const found = controlByRef.get(key(framework, f.control.ref));
    if (found) return found;
    const created: ControlRow = {
      id: `ctl_imp_${sha256Hex(key(framework, f.control.ref)).slice(0, 20)}`,
      framework,
      controlRef: f.control.ref,
      title: `${f.control.standard} ${f.control.ref}`,
      category: UNMAPPED_CATEGORY[f.classUid] ?? "Infrastructure",
      profile: null,
      description: `Created by an import of findings from ${f.source}: the catalogue had no such control.`,
      rationale: "",
      remediation: f.remediation,
      // Points possible come from the catalogue; an imported control carries none until someone sets them.
      maxScore: 0,
      implementationCost: "unknown",
      userImpact: "unknown",
    };
    controlByRef.set(key(framework, f.control.ref), created);
    controlById.set(created.id, created);
    newControls.push(created);
    return created;
  };

  const linkResources = (f: TenantFinding, findingId: string): number => {
    let added = 0;
    for (const r of f.resources) {
      let resourceId = resourceByRef.get(key(f.tenantId, r.kind, r.ref));
      if (!resourceId) {
        resourceId = newId("res");
        resourceByRef.set(key(f.tenantId, r.kind, r.ref), resourceId);
        newResources.push({ id: resourceId, tenantId: f.tenantId, kind: r.kind, name: r.name, externalRef: r.ref });
      }
      if (linked.has(key(findingId, resourceId))) continue;
      linked.add(key(findingId, resourceId));
      newLinks.push({ findingId, resourceId, tenantId: f.tenantId });
      added++;
    }
    return added;
  };

  /** A suppression reported by the scanner lasts as long as one made in aegis may, then needs review. */
  const scannerSuppression = (source: string) => ({
    suppressionReason: "third_party",
    suppressionJustification: `suppressed in ${source}`,
    suppressedUntil: now + MAX_SUPPRESSION_DAYS * DAY_MS,
  });

  const inFile = new Set<string>();
  for (const f of findings) {
    const control = controlFor(f);
    const existing = byKey.get(key(f.tenantId, f.source, f.uid));
    inFile.add(key(f.tenantId, f.source, f.uid));
    if (!existing) {
      const id = newId("fnd");
      const row: FindingRow = {
        id,
        tenantId: f.tenantId,
        uid: f.uid,
        classUid: f.classUid,
        source: f.source,
        controlId: control?.id ?? null,
        title: f.title,
        description: f.description,
        types: JSON.stringify(f.types),
        severityId: f.severityId,
        statusId: f.statusId,
        complianceStatusId: f.complianceStatusId,
        remediation: f.remediation,
        riskScore: f.riskScore,
        assigneeUserId: null,
        assigneeName: null,
        suppressionReason: null,
        suppressionJustification: null,
        suppressedUntil: null,
        resolutionNote: f.statusId === STATUS.RESOLVED ? `resolved in ${f.source}` : null,
        resolutionEvidence: null,
        firstSeenAt: f.time,
        lastSeenAt: f.time,
        resolvedAt: f.statusId === STATUS.RESOLVED ? f.time : null,
        createdAt: now,
        updatedAt: now,
        ...(f.statusId === STATUS.SUPPRESSED ? scannerSuppression(f.source) : {}),
      };
      inserts.push(row);
      after.set(id, row);
      linkResources(f, id);
      event(row, "detected", null, row.statusId, `imported from ${f.source}`);
      counts.inserted++;
      touchedTenants.add(f.tenantId);
      continue;
    }
    const set: Partial<FindingInsert> = {};
    const fields = {
      classUid: f.classUid,
      controlId: control?.id ?? null,
      title: f.title,
      description: f.description,
      types: JSON.stringify(f.types),
      severityId: f.severityId,
      complianceStatusId: f.complianceStatusId ?? existing.complianceStatusId,
      remediation: f.remediation,
      riskScore: f.riskScore,
    } as const;
    for (const [k, v] of Object.entries(fields) as [keyof typeof fields, unknown][])
      if (existing[k] !== v) Object.assign(set, { [k]: v });
    if (f.time > existing.lastSeenAt) set.lastSeenAt = f.time;
    const effective = effectiveStatusId(existing, now);
    const activeSuppression = existing.statusId === STATUS.SUPPRESSED && effective === STATUS.SUPPRESSED;
    const reportedOpen = f.statusId === STATUS.NEW || f.statusId === STATUS.IN_PROGRESS;
    if (activeSuppression) {
      // Stays suppressed until the suppression lapses, whatever the scanner reports.
    } else if (existing.statusId === STATUS.RESOLVED && reportedOpen) {
      Object.assign(set, {
        statusId: STATUS.NEW,
        resolutionNote: null,
        resolutionEvidence: null,
        resolvedAt: null,
        suppressionReason: null,
        suppressionJustification: null,
        suppressedUntil: null,
      });
      event(existing, "reopened", STATUS.RESOLVED, STATUS.NEW, `detected again by ${f.source}`);
      reopened.push({ tenantId: f.tenantId, source: f.source, uid: f.uid });
    } else if (effective !== STATUS.RESOLVED && f.statusId === STATUS.RESOLVED) {
      Object.assign(set, { statusId: STATUS.RESOLVED, resolvedAt: f.time, resolutionNote: `resolved in ${f.source}` });
      event(existing, "resolved", effective, STATUS.RESOLVED, `reported resolved by ${f.source}`);
    } else if (effective !== STATUS.RESOLVED && f.statusId === STATUS.SUPPRESSED) {
      Object.assign(set, { statusId: STATUS.SUPPRESSED, ...scannerSuppression(f.source) });
      event(existing, "suppressed", effective, STATUS.SUPPRESSED, `suppressed in ${f.source}`);
    }
    const added = linkResources(f, existing.id);
    if (Object.keys(set).length === 0 && added === 0) {
      counts.unchanged++;
      continue;
    }
    set.updatedAt = now;
    updates.push({ id: existing.id, readAt: existing.updatedAt, set });
    after.set(existing.id, { ...existing, ...set } as FindingRow);
    counts.updated++;
    touchedTenants.add(f.tenantId);
  }

  if (input.fullScan) {
    const scanned = new Set(findings.map((f) => key(f.tenantId, f.source)));
    for (const s of stored) {
      if (!scanned.has(key(s.tenantId, s.source)) || inFile.has(key(s.tenantId, s.source, s.uid))) continue;
      const effective = effectiveStatusId(s, now);
      if (effective !== STATUS.NEW && effective !== STATUS.IN_PROGRESS) continue;
      const set: Partial<FindingInsert> = {
        statusId: STATUS.RESOLVED,
        resolvedAt: now,
        resolutionNote: `resolved by scan: absent from the full scan of ${s.source}`,
        suppressionReason: null,
        suppressionJustification: null,
        suppressedUntil: null,
        updatedAt: now,
      };
      updates.push({ id: s.id, readAt: s.updatedAt, set });
      after.set(s.id, { ...s, ...set } as FindingRow);
      event(s, "resolved_by_scan", effective, STATUS.RESOLVED, `absent from the full scan of ${s.source}`);
      resolvedByScan.push({ tenantId: s.tenantId, source: s.source, uid: s.uid });
      counts.updated++;
      touchedTenants.add(s.tenantId);
    }
  }

  const postures = [...touchedTenants].map((tenantId) => ({
    tenantId,
    posture: computePosture(
      [...after.values()]
        .filter((f) => f.tenantId === tenantId)
        .map((f) => postureFinding(f, f.controlId ? controlById.get(f.controlId) : null)),
      now,
    ),
  }));

  return {
    counts,
    tenantIds,
    reopened,
    resolvedByScan,
    createdControls: newControls.map((c) => ({ framework: c.framework, controlRef: c.controlRef })),
    empty: inserts.length === 0 && updates.length === 0 && newControls.length === 0,
    async write(tx) {
      for (let i = 0; i < newControls.length; i += CHUNK)
        await tx.insert(aegisControls).values(newControls.slice(i, i + CHUNK));
      for (let i = 0; i < newResources.length; i += CHUNK)
        await tx.insert(aegisResources).values(newResources.slice(i, i + CHUNK));
      for (let i = 0; i < inserts.length; i += CHUNK)
        await tx.insert(aegisFindings).values(inserts.slice(i, i + CHUNK));
      for (const u of updates) {
        const done = await tx
          .update(aegisFindings)
          .set(u.set)
          .where(and(eq(aegisFindings.id, u.id), eq(aegisFindings.updatedAt, u.readAt)))
          .returning({ id: aegisFindings.id });
        // Someone suppressed, resolved or reopened it since the plan was read: never overwrite that decision.
        if (done.length === 0)
          throw new AegisError(
            "concurrent_change",
            `finding ${u.id} changed while the import was prepared; import again`,
          );
      }
      for (let i = 0; i < newLinks.length; i += CHUNK)
        await tx
          .insert(aegisFindingResources)
          .values(newLinks.slice(i, i + CHUNK))
          .onConflictDoNothing();
      for (let i = 0; i < events.length; i += CHUNK)
        await tx.insert(aegisFindingEvents).values(events.slice(i, i + CHUNK));
      for (const p of postures) await storePosture(tx, p.tenantId, p.posture, now);
    },
  };
}
