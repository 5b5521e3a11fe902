import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { seedAegis } from "../../../src/demo/aegis";
import { aegisControls, aegisFindingEvents, aegisFindings } from "../../../src/store/schema/aegis";
import { reopenFinding, resolveFinding, suppressFinding } from "../../../src/surfaces/aegis/finding-workflow";
import { planFindingsImport, type TenantFinding } from "../../../src/surfaces/aegis/findings-import";
import { DAY_MS } from "../../../src/surfaces/aegis/ocsf";
import { parseOcsfFindings } from "../../../src/surfaces/aegis/ocsf-import";
import { getPostureSummary } from "../../../src/surfaces/aegis/posture";
import { openStoreFixture, type StoreFixture } from "./fixture";

/**
 * The findings import rules against a real libSQL file, on Otter Client Co (no demo findings), with posture numbers
 * worked out by hand from README "Posture follows the data":
 * - Prowler AdminMFAV2 (Secure Score control, max 10, Identity), High 6, open: 0 of 16
 * - Prowler 9.9.9 (control created under "Otter Baseline 2026", max 0, Infrastructure), Medium 3, open: 0 of 3
 * - Prowler shared-001 (CIS M365 1.2.2, max 0, Identity), Low 1, passed: 1 of 1
 * - Wazuh shared-001 (detection, Identity), Critical 10, open: 0 of 10
 * - Wazuh wazuh-5710 (detection, Identity), Medium 3, open: 0 of 3
 * Total 1 of 33.
 */

const NOW = Date.parse("2026-11-28T10:00:00Z");
const fixture = (name: string) => readFileSync(join(import.meta.dir, "../../fixtures/import", name), "utf8");
let fx: StoreFixture;
const operator = { userId: null, name: "cli:operator" };

function forOtter(text: string): TenantFinding[] {
  const r = parseOcsfFindings(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.findings.map((f) => ({ ...f, tenantId: "otter-client" }));
}

async function importFile(name: string, opts: { fullScan?: boolean; now?: number } = {}) {
  const plan = await planFindingsImport(fx.store.db, {
    findings: forOtter(fixture(name)),
    fullScan: opts.fullScan ?? false,
    actor: operator,
    now: opts.now ?? NOW,
  });
  await fx.store.db.transaction(async (tx) => plan.write(tx));
  return plan;
}

const otter = () => fx.scopeFor("admin@otter-msp.example", "msp_admin", "otter-msp");
const summary = async (at = NOW) => {
  const s = await getPostureSummary(fx.store.db, await otter(), "otter-client", at);
  return { score: s.score, max: s.maxScore, open: s.openFindingsTotal };
};
const findingId = async (source: string, uid: string) =>
  (
    await fx.store.db
      .select({ id: aegisFindings.id })
      .from(aegisFindings)
      .where(and(eq(aegisFindings.source, source), eq(aegisFindings.uid, uid)))
  )[0]!.id;

beforeAll(async () => {
  fx = await openStoreFixture();
  await seedAegis(fx.store.db, NOW);
});
afterAll(() => fx.close());

describe("importing OCSF findings", () => {
  test("first import: five inserted, one control created and reported, posture 1 of 33", async () => {
    const plan = await importFile("findings-ocsf-two-scanners.jsonl");
    expect(plan.counts).toEqual({ inserted: 5, updated: 0, unchanged: 0 });
    expect(plan.createdControls).toEqual([{ framework: "Otter Baseline 2026", controlRef: "9.9.9" }]);
    const [created] = await fx.store.db
      .select()
      .from(aegisControls)
      .where(eq(aegisControls.framework, "Otter Baseline 2026"));
    expect(created).toMatchObject({ controlRef: "9.9.9", maxScore: 0, category: "Infrastructure" });
    // The same uid from two scanners is two findings.
    const shared = await fx.store.db.select().from(aegisFindings).where(eq(aegisFindings.uid, "shared-001"));
    expect(shared.map((f) => [f.source, f.statusId]).sort()).toEqual([
      ["Prowler", 4],
      ["Wazuh", 1],
    ]);
    expect(await summary()).toEqual({ score: 1, max: 33, open: 4 });
  });

  test("the same file again changes nothing and says so", async () => {
    const plan = await importFile("findings-ocsf-two-scanners.jsonl", { now: NOW + 60_000 });
    expect(plan.counts).toEqual({ inserted: 0, updated: 0, unchanged: 5 });
    expect(plan.empty).toBe(true);
  });

  test("--full-scan of Wazuh resolves the Wazuh finding the rescan no longer has; Prowler's shared-001 untouched", async () => {
    const plan = await importFile("findings-ocsf-wazuh-rescan.json", { fullScan: true, now: NOW + DAY_MS });
    // wazuh-5710 seen again (last seen moves), shared-001 resolved by scan.
    expect(plan.counts).toEqual({ inserted: 0, updated: 2, unchanged: 0 });
    expect(plan.resolvedByScan).toEqual([{ tenantId: "otter-client", source: "Wazuh", uid: "shared-001" }]);
    const [ssh] = await fx.store.db.select().from(aegisFindings).where(eq(aegisFindings.uid, "wazuh-5710"));
    expect(ssh!.lastSeenAt).toBe(Date.parse("2026-11-22T09:00:00Z"));
    const events = await fx.store.db
      .select({ action: aegisFindingEvents.action })
      .from(aegisFindingEvents)
      .where(eq(aegisFindingEvents.findingId, await findingId("Wazuh", "shared-001")));
    expect(events.map((e) => e.action)).toEqual(["detected", "resolved_by_scan"]);
    // The Critical 10 points come back: 11 of 33.
    expect(await summary(NOW + DAY_MS)).toEqual({ score: 11, max: 33, open: 3 });
  });

  test("a resolved finding detected again reopens; a suppressed one stays suppressed", async () => {
    const scope = await otter();
    const actor = { userId: "usr_t", name: "Test Tech" };
    const at = NOW + 2 * DAY_MS;
    await resolveFinding(
      fx.store.db,
      scope,
      actor,
      { findingId: await findingId("Prowler", "prowler-ss-adminmfa"), resolutionNote: "MFA enforced for admins" },
      at,
    );
    await suppressFinding(
      fx.store.db,
      scope,
      actor,
      {
        findingId: await findingId("Wazuh", "wazuh-5710"),
        reason: "third_party",
        justification: "The NAS vendor's fail2ban blocks the source",
        expiresAt: at + 30 * DAY_MS,
      },
      at,
    );
    // Resolved MFA: +16 (27); suppressed SSH: +1.5 (28.5 -> Identity rounds 28.5 up to 29).
    expect(await summary(at)).toEqual({ score: 29, max: 33, open: 1 });
    const plan = await importFile("findings-ocsf-two-scanners.jsonl", { now: at + 60_000 });
    // Both resolved findings the file reports open are reopened: the one resolved by hand and the one resolved by scan.
    expect(plan.reopened).toEqual([
      { tenantId: "otter-client", source: "Prowler", uid: "prowler-ss-adminmfa" },
      { tenantId: "otter-client", source: "Wazuh", uid: "shared-001" },
    ]);
    const rows = await fx.store.db.select().from(aegisFindings).where(eq(aegisFindings.tenantId, "otter-client"));
    const byUid = (source: string, uid: string) => rows.find((r) => r.source === source && r.uid === uid)!;
    expect(byUid("Prowler", "prowler-ss-adminmfa").statusId).toBe(1);
    expect(byUid("Wazuh", "wazuh-5710").statusId).toBe(3);
    expect(byUid("Wazuh", "shared-001").statusId).toBe(1);
    // Back to open: MFA (0 of 16) and ransomware (0 of 10); SSH stays suppressed: 1 + 1.5 -> 3 of 33.
    expect(await summary(at + 60_000)).toEqual({ score: 3, max: 33, open: 3 });
  });

  test("a finding changed between planning and writing rolls the whole import back (concurrent_change)", async () => {
    const at = NOW + 5 * DAY_MS;
    const later = forOtter(fixture("findings-ocsf-two-scanners.jsonl")).map((f) => ({ ...f, time: at }));
    const plan = await planFindingsImport(fx.store.db, { findings: later, fullScan: false, actor: operator, now: at });
    expect(plan.counts.updated).toBe(5);
    await reopenFinding(
      fx.store.db,
      await otter(),
      { userId: "usr_t", name: "Test Tech" },
      { findingId: await findingId("Wazuh", "wazuh-5710"), reason: "the vendor's block list was removed" },
      at,
    );
    const before = JSON.stringify(await fx.store.db.select().from(aegisFindings).orderBy(aegisFindings.id));
    const write = fx.store.db.transaction(async (tx) => plan.write(tx));
    await expect(write).rejects.toMatchObject({ code: "concurrent_change" });
    expect(JSON.stringify(await fx.store.db.select().from(aegisFindings).orderBy(aegisFindings.id))).toBe(before);
  });
});
