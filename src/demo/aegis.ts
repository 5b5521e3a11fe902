import { eq, inArray } from "drizzle-orm";
import { sha256Hex } from "../shared/crypto";
import type { DbLike } from "../store/index";
import {
  aegisControls,
  aegisFindingEvents,
  aegisFindingResources,
  aegisFindings,
  aegisImprovementActions,
  aegisPostureSnapshots,
  aegisResources,
} from "../store/schema/aegis";
import { tenants } from "../store/schema/tenancy";
import controlsFile from "./data/aegis-controls.yaml";
import tenantsFile from "./data/aegis-tenants.yaml";
import { userIdForEmail } from "../tenancy/sync";
import {
  CATEGORIES,
  CLASS_UIDS,
  DAY_MS,
  SEVERITY_IDS,
  STATUS,
  type Category,
  type SeverityName,
} from "../surfaces/aegis/ocsf";

/**
 * Demo data for aegis: a CIS-style control catalogue, findings in every OCSF status and severity with their
 * resources and history, ninety days of Secure-Score-style snapshots, and improvement actions.
 * Deterministic ids; dates relative to `now`; a tenant that already has its seeded findings is skipped
 * entirely, so seeding twice (even on a later day) changes nothing. Tenants absent from the store are skipped.
 */

type ControlSeed = {
  id: string;
  framework: "cis_m365_v5" | "cis_v8" | "ms_secure_score" | "cis_win2022";
  ref: string;
  title: string;
  category: Category;
  profile: string | null;
  max: number;
  cost: "low" | "moderate" | "high";
  impact: "low" | "moderate" | "high";
  description: string;
  rationale: string;
  remediation: string;
};

type ResourceSeed = { key: string; kind: string; name: string; ref?: string };
type EventSeed = {
  daysAgo: number;
  actor: "scanner" | "tech" | "admin" | "owner";
  action: string;
  from?: number;
  to?: number;
  comment?: string;
};
type FindingSeed = {
  key: string;
  uid: string;
  cls: "compliance" | "vulnerability" | "detection";
  source: string;
  control?: string;
  title: string;
  description: string;
  types: string[];
  severity: SeverityName;
  status: number;
  compliance?: 1 | 2 | 3;
  remediation: string;
  risk: number;
  resources: string[];
  firstSeenDaysAgo: number;
  lastSeenDaysAgo: number;
  assignee?: "tech" | "admin";
  suppression?: { reason: string; justification: string; untilDays: number };
  resolution?: { daysAgo: number; note: string; evidence?: string };
  events: EventSeed[];
};

type TenantSeed = {
  tenantId: string;
  resources: ResourceSeed[];
  findings: FindingSeed[];
  /** Posture curve: percent at day -89 and day 0, plus an optional dip. */
  posture: {
    maxScore: number;
    startPct: number;
    endPct: number;
    dip?: { centerDaysAgo: number; depthPct: number; widthDays: number };
    categoryBias: Partial<Record<Category, number>>;
  };
  actions: {
    controlId?: string;
    title: string;
    category: Category;
    actionType: string;
    service: string;
    max: number;
    score: number;
    cost: string;
    impact: string;
    tier: string;
    state: string;
    remediation: string;
  }[];
};

const ACTORS = {
  scanner: { userId: null, name: "AEGIS scanner" },
  tech: { userId: userIdForEmail("tech@harbor-it.example"), name: "Taylor Tech" },
  admin: { userId: userIdForEmail("admin@harbor-it.example"), name: "Morgan Admin" },
  owner: { userId: userIdForEmail("owner@fabrikam-law.example"), name: "Fran Owner" },
} as const;

type ActionSeed = TenantSeed["actions"][number];
/** How the data files name statuses: as OCSF captions them. */
type StatusName = "New" | "In Progress" | "Suppressed" | "Resolved";
const STATUS_IDS: Record<StatusName, number> = {
  New: STATUS.NEW,
  "In Progress": STATUS.IN_PROGRESS,
  Suppressed: STATUS.SUPPRESSED,
  Resolved: STATUS.RESOLVED,
};

/** The data files as written (data/aegis-controls.yaml, data/aegis-tenants.yaml); Bun bundles them at build time. */
interface TenantsFile {
  /** Every tenant's improvement actions, unscored ("Default"), in rank order. */
  actions: Omit<ActionSeed, "score" | "state">[];
  tenants: (Omit<TenantSeed, "findings" | "actions"> & {
    /** Per action title: the tenant's score and state where they differ from 0 and "Default". */
    actionScores: Record<string, { score: number; state?: string }>;
    findings: (Omit<FindingSeed, "status" | "events"> & {
      status: StatusName;
      events: (Omit<EventSeed, "from" | "to"> & { from?: StatusName; to?: StatusName })[];
    })[];
  })[];
}

export const SEED_CONTROLS: ControlSeed[] = (controlsFile as { controls: ControlSeed[] }).controls;

export const TENANT_SEEDS: TenantSeed[] = (tenantsFile as TenantsFile).tenants.map(
  ({ actionScores, findings, ...tenant }) => ({
    ...tenant,
    findings: findings.map((f) => ({
      ...f,
      status: STATUS_IDS[f.status],
      events: f.events.map(({ from, to, ...e }) => ({
        ...e,
        ...(from === undefined ? {} : { from: STATUS_IDS[from] }),
        ...(to === undefined ? {} : { to: STATUS_IDS[to] }),
      })),
    })),
    actions: (tenantsFile as TenantsFile).actions.map((a) => ({
      ...a,
      score: 0,
      state: "Default",
      ...actionScores[a.title],
    })),
  }),
);

/** Deterministic noise in [-1, 1] from a string, so seeded curves look organic but never change between runs. */
function noise(key: string): number {
  return (parseInt(sha256Hex(key).slice(0, 8), 16) / 0xffffffff) * 2 - 1;
}

const CATEGORY_WEIGHTS: Record<Category, number> = {
  Identity: 0.3,
  Device: 0.28,
  Apps: 0.2,
  Data: 0.12,
  Infrastructure: 0.1,
};

function postureFor(seed: TenantSeed, daysAgo: number) {
  const p = seed.posture;
  const t = (89 - daysAgo) / 89;
  // An S-curve for improvement stories, flat-ish otherwise.
  const eased = t * t * (3 - 2 * t);
  let pct = p.startPct + (p.endPct - p.startPct) * eased + noise(`${seed.tenantId}:${daysAgo}`) * 1.2;
  if (p.dip) {
    const d = Math.abs(daysAgo - p.dip.centerDaysAgo);
    if (d < p.dip.widthDays) pct -= p.dip.depthPct * (1 - d / p.dip.widthDays);
  }
  const byCategory = CATEGORIES.map((category) => {
    const max = Math.round(p.maxScore * CATEGORY_WEIGHTS[category]);
    const catPct = Math.min(
      100,
      Math.max(0, pct + (p.categoryBias[category] ?? 0) + noise(`${seed.tenantId}:${daysAgo}:${category}`)),
    );
    return { category, score: Math.round((max * catPct) / 100), max_score: max };
  });
  const score = byCategory.reduce((n, c) => n + c.score, 0);
  const maxScore = byCategory.reduce((n, c) => n + c.max_score, 0);
  return { score, maxScore, byCategory };
}

export async function seedAegis(db: DbLike, now: number): Promise<{ tenants: string[] }> {
  await db
    .insert(aegisControls)
    .values(
      SEED_CONTROLS.map((c) => ({
        id: c.id,
        framework: c.framework,
        controlRef: c.ref,
        title: c.title,
        category: c.category,
        profile: c.profile,
        description: c.description,
        rationale: c.rationale,
        remediation: c.remediation,
        maxScore: c.max,
        implementationCost: c.cost,
        userImpact: c.impact,
      })),
    )
    .onConflictDoNothing();

  const present = new Set(
    (
      await db
        .select({ id: tenants.id })
        .from(tenants)
        .where(
          inArray(
            tenants.id,
            TENANT_SEEDS.map((s) => s.tenantId),
          ),
        )
    ).map((t) => t.id),
  );
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const seeded: string[] = [];
  for (const seed of TENANT_SEEDS) {
    if (!present.has(seed.tenantId)) continue;
    const firstFinding = `fnd_${seed.tenantId}_${seed.findings[0]!.key}`;
    const [already] = await db
      .select({ id: aegisFindings.id })
      .from(aegisFindings)
      .where(eq(aegisFindings.id, firstFinding))
      .limit(1);
    if (already) continue;
    await db.transaction(async (tx) => {
      const rid = (key: string) => `res_${seed.tenantId}_${key}`;
      await tx
        .insert(aegisResources)
        .values(
          seed.resources.map((r) => ({
            id: rid(r.key),
            tenantId: seed.tenantId,
            kind: r.kind,
            name: r.name,
            externalRef: r.ref ?? null,
          })),
        )
        .onConflictDoNothing();
      for (const f of seed.findings) {
        const id = `fnd_${seed.tenantId}_${f.key}`;
        const assignee = f.assignee ? ACTORS[f.assignee] : null;
        const lastEvent = f.events.length ? Math.min(...f.events.map((e) => e.daysAgo)) : f.firstSeenDaysAgo;
        await tx
          .insert(aegisFindings)
          .values({
            id,
            tenantId: seed.tenantId,
            uid: f.uid,
            classUid: CLASS_UIDS[f.cls],
            source: f.source,
            controlId: f.control ?? null,
            title: f.title,
            description: f.description,
            types: JSON.stringify(f.types),
            severityId: SEVERITY_IDS[f.severity],
            statusId: f.status,
            complianceStatusId: f.compliance ?? null,
            remediation: f.remediation,
            riskScore: f.risk,
            assigneeUserId: assignee?.userId ?? null,
            assigneeName: assignee?.name ?? null,
            suppressionReason: f.suppression?.reason ?? null,
            suppressionJustification: f.suppression?.justification ?? null,
            suppressedUntil: f.suppression ? today + f.suppression.untilDays * DAY_MS : null,
            resolutionNote: f.resolution?.note ?? null,
            resolutionEvidence: f.resolution?.evidence ?? null,
            resolvedAt: f.resolution ? today - f.resolution.daysAgo * DAY_MS + 15 * 3_600_000 : null,
            firstSeenAt: today - f.firstSeenDaysAgo * DAY_MS + 9 * 3_600_000,
            lastSeenAt: Math.min(now, today - f.lastSeenDaysAgo * DAY_MS + 2 * 3_600_000),
            createdAt: today - f.firstSeenDaysAgo * DAY_MS + 9 * 3_600_000,
            updatedAt: Math.min(now, today - lastEvent * DAY_MS + 10 * 3_600_000),
          })
          .onConflictDoNothing();
        await tx
          .insert(aegisFindingResources)
          .values(f.resources.map((r) => ({ findingId: id, resourceId: rid(r), tenantId: seed.tenantId })))
          .onConflictDoNothing();
        await tx
          .insert(aegisFindingEvents)
          .values(
            f.events.map((e, i) => ({
              id: `fev_${seed.tenantId}_${f.key}_${i + 1}`,
              findingId: id,
              tenantId: seed.tenantId,
              actorUserId: ACTORS[e.actor].userId,
              actorName: ACTORS[e.actor].name,
              action: e.action,
              fromStatusId: e.from ?? null,
              toStatusId: e.to ?? null,
              comment: e.comment ?? null,
              // Events of one day keep their order: 09:00 + 10 minutes per step, never after now.
              at: Math.min(now - (f.events.length - i), today - e.daysAgo * DAY_MS + 9 * 3_600_000 + i * 600_000),
            })),
          )
          .onConflictDoNothing();
      }
      const snapshots = [];
      for (let daysAgo = 89; daysAgo >= 0; daysAgo--) {
        const day = today - daysAgo * DAY_MS;
        const p = postureFor(seed, daysAgo);
        snapshots.push({
          id: `pss_${seed.tenantId}_${daysAgo}`,
          tenantId: seed.tenantId,
          day: new Date(day).toISOString().slice(0, 10),
          capturedAt: day,
          score: p.score,
          maxScore: p.maxScore,
          byCategory: JSON.stringify(p.byCategory),
        });
      }
      await tx.insert(aegisPostureSnapshots).values(snapshots).onConflictDoNothing();
      await tx
        .insert(aegisImprovementActions)
        .values(
          seed.actions.map((a, i) => ({
            id: `iac_${seed.tenantId}_${i + 1}`,
            tenantId: seed.tenantId,
            controlId: a.controlId ?? null,
            title: a.title,
            category: a.category,
            actionType: a.actionType,
            service: a.service,
            score: a.score,
            maxScore: a.max,
            implementationCost: a.cost,
            userImpact: a.impact,
            tier: a.tier,
            rank: i + 1,
            state: a.state,
            remediation: a.remediation,
          })),
        )
        .onConflictDoNothing();
    });
    seeded.push(seed.tenantId);
  }
  return { tenants: seeded };
}
