import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { count } from "drizzle-orm";
import { aegisFindings, aegisPostureSnapshots } from "../../../src/store/schema/aegis";
import { getControl, listControls } from "../../../src/surfaces/aegis/controls";
import { exportEvidence } from "../../../src/surfaces/aegis/evidence";
import {
  acknowledgeFinding,
  reopenFinding,
  resolveFinding,
  suppressFinding,
} from "../../../src/surfaces/aegis/finding-workflow";
import { getFinding, listFindings } from "../../../src/surfaces/aegis/findings";
import { getPostureSummary, getPostureTrend } from "../../../src/surfaces/aegis/posture";
import { seedAegis } from "../../../src/demo/aegis";
import { DAY_MS } from "../../../src/surfaces/aegis/ocsf";
import { sha256Hex } from "../../../src/shared/crypto";
import { openStoreFixture, type StoreFixture } from "./fixture";

const NOW = Date.parse("2026-11-24T10:00:00Z");
let fx: StoreFixture;

beforeAll(async () => {
  fx = await openStoreFixture();
  await seedAegis(fx.store.db, NOW);
});
afterAll(() => fx.close());

const msp = () => fx.scopeFor("admin@harbor-it.example", "msp_admin", "harbor-it");
const otter = () => fx.scopeFor("admin@otter-msp.example", "msp_admin", "otter-msp");
const actor = { userId: "usr_test", name: "Test Tech" };

describe("aegis seed", () => {
  test("is idempotent, even on a later day", async () => {
    const before = await fx.store.db.select({ n: count() }).from(aegisFindings);
    const snaps = await fx.store.db.select({ n: count() }).from(aegisPostureSnapshots);
    await seedAegis(fx.store.db, NOW);
    await seedAegis(fx.store.db, NOW + 3 * DAY_MS);
    expect(await fx.store.db.select({ n: count() }).from(aegisFindings)).toEqual(before);
    expect(await fx.store.db.select({ n: count() }).from(aegisPostureSnapshots)).toEqual(snaps);
    expect(snaps[0]!.n).toBe(270);
  });

  test("covers every OCSF status and severity", async () => {
    const page = await listFindings(fx.store.db, await msp(), {}, { limit: 100 }, NOW);
    expect(new Set(page.items.map((f) => f.status))).toEqual(new Set(["New", "In Progress", "Suppressed", "Resolved"]));
    expect(new Set(page.items.map((f) => f.severity))).toEqual(
      new Set(["Informational", "Low", "Medium", "High", "Critical", "Fatal"]),
    );
  });
});

describe("aegis posture", () => {
  test("summary has categories, top actions and open finding counts", async () => {
    const s = await getPostureSummary(fx.store.db, await msp(), "tailspin-logistics", NOW);
    expect(s.percent).toBeGreaterThan(65);
    expect(s.byCategory.map((c) => c.category)).toEqual(["Identity", "Device", "Data", "Apps", "Infrastructure"]);
    expect(s.topImprovementActions.length).toBeGreaterThan(0);
    expect(s.topImprovementActions.every((a) => a.pointsAvailable > 0)).toBe(true);
    expect(s.openFindingsTotal).toBeGreaterThan(0);
    expect(s.change30dPoints).not.toBeNull();
  });

  test("trend aggregates by week and shows Tailspin's improvement", async () => {
    const t = await getPostureTrend(fx.store.db, await msp(), {
      tenantId: "tailspin-logistics",
      from: NOW - 90 * DAY_MS,
      to: NOW,
      interval: "week",
    });
    expect(t.points.length).toBeGreaterThanOrEqual(13);
    expect(t.points.length).toBeLessThanOrEqual(15);
    expect(t.endPercent! - t.startPercent!).toBeGreaterThan(25);
  });

  test("cross-MSP tenant reads as not found or not permitted", async () => {
    await expect(getPostureSummary(fx.store.db, await otter(), "contosocare", NOW)).rejects.toThrow(
      "not found or not permitted",
    );
  });
});

describe("aegis findings", () => {
  test("filters and paginates with a stable cursor", async () => {
    const scope = await msp();
    const all = await listFindings(fx.store.db, scope, { tenantId: "contosocare" }, { limit: 100 }, NOW);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listFindings(fx.store.db, scope, { tenantId: "contosocare" }, { cursor, limit: 3 }, NOW);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((f) => f.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((f) => f.id));
    const high = await listFindings(fx.store.db, scope, { minSeverity: "High", statuses: ["New"] }, {}, NOW);
    expect(high.items.every((f) => f.severityId >= 4 && f.status === "New")).toBe(true);
    const byControl = await listFindings(
      fx.store.db,
      scope,
      { framework: "cis_m365_v5", controlRef: "2.1.10" },
      {},
      NOW,
    );
    expect(byControl.items.map((f) => f.id)).toEqual(["fnd_contosocare_dmarc"]);
  });

  test("a lapsed suppression reads as New", async () => {
    const f = await getFinding(fx.store.db, await msp(), "fnd_fabrikam-law_anyone_links", NOW);
    expect(f.status).toBe("New");
    expect(f.suppression?.expired).toBe(true);
  });

  test("other MSP cannot read or list a harbor finding", async () => {
    await expect(getFinding(fx.store.db, await otter(), "fnd_contosocare_mfa_all", NOW)).rejects.toThrow(
      "not found or not permitted",
    );
    expect((await listFindings(fx.store.db, await otter(), {}, {}, NOW)).items).toEqual([]);
  });

  test("acknowledge -> suppress -> reopen -> resolve, with history", async () => {
    const scope = await msp();
    const id = "fnd_contosocare_breakglass";
    const ack = await acknowledgeFinding(
      fx.store.db,
      scope,
      actor,
      { findingId: id, note: "Creating accounts this week", assigneeEmail: "tech@harbor-it.example" },
      NOW,
    );
    expect(ack.status).toBe("In Progress");
    expect(ack.assignee).toBe("tech");
    await expect(
      suppressFinding(
        fx.store.db,
        scope,
        actor,
        {
          findingId: id,
          reason: "accepted_risk",
          justification: "Client declined for now",
          expiresAt: NOW + 181 * DAY_MS,
        },
        NOW,
      ),
    ).rejects.toThrow("180 days");
    const sup = await suppressFinding(
      fx.store.db,
      scope,
      actor,
      {
        findingId: id,
        reason: "accepted_risk",
        justification: "Client declined for now",
        expiresAt: NOW + 30 * DAY_MS,
      },
      NOW,
    );
    expect(sup.status).toBe("Suppressed");
    const re = await reopenFinding(
      fx.store.db,
      scope,
      actor,
      { findingId: id, reason: "Client changed their mind" },
      NOW + 1000,
    );
    expect(re.status).toBe("New");
    const res = await resolveFinding(
      fx.store.db,
      scope,
      actor,
      { findingId: id, resolutionNote: "Two FIDO2 break-glass accounts created", evidence: "CHG-77" },
      NOW + 2000,
    );
    expect(res.status).toBe("Resolved");
    expect(res.history.slice(0, 5).map((h) => h.action)).toEqual([
      "resolved",
      "reopened",
      "suppressed",
      "assigned",
      "acknowledged",
    ]);
    await expect(
      resolveFinding(fx.store.db, scope, actor, { findingId: id, resolutionNote: "again and again" }, NOW + 3000),
    ).rejects.toThrow("already Resolved");
    // Services refuse with coded domain errors, not MCP types: the tool layer (kit/tool.ts) translates them.
    await expect(
      resolveFinding(fx.store.db, scope, actor, { findingId: id, resolutionNote: "again and again" }, NOW + 3000),
    ).rejects.toMatchObject({ name: "AegisError", code: "invalid_state_transition" });
  });
});

describe("aegis controls and evidence", () => {
  test("controls show a tenant's standing", async () => {
    const scope = await msp();
    const list = await listControls(fx.store.db, scope, { tenantId: "contosocare", framework: "cis_m365_v5" }, {}, NOW);
    const dmarc = list.items.find((c) => c.controlRef === "2.1.10");
    expect(dmarc?.tenantStatus).toBe("fail");
    expect(list.items.find((c) => c.controlRef === "3.1.1")?.tenantStatus).toBe("pass");
    const c = await getControl(fx.store.db, scope, { framework: "cis_m365_v5", controlRef: "5.2.2.2" }, NOW);
    expect(c.findings.length).toBe(2);
  });

  test("evidence export: csv and OCSF jsonl with a matching sha256", async () => {
    const scope = await msp();
    const csv = await exportEvidence(
      fx.store.db,
      scope,
      { tenantId: "fabrikam-law", from: NOW - 90 * DAY_MS, to: NOW, format: "csv" },
      NOW,
    );
    expect(csv.content.split("\n")[0]).toStartWith("finding_id,uid,class,severity,status");
    expect(csv.sha256).toBe(sha256Hex(csv.content));
    // RFC 4180 §2.1: every record, the last one included, ends in CRLF.
    expect(csv.content).toEndWith("\r\n");
    expect(csv.content.split("\r\n").length - 1).toBe(csv.includedCount + 1);
    const jsonl = await exportEvidence(
      fx.store.db,
      scope,
      { tenantId: "fabrikam-law", from: NOW - 90 * DAY_MS, to: NOW, format: "ocsf_jsonl" },
      NOW,
    );
    const first = JSON.parse(jsonl.content.split("\n")[0]!);
    expect([2002, 2003, 2004]).toContain(first.class_uid);
    expect(first.finding_info.uid).toBeString();
    expect(jsonl.includedCount).toBe(jsonl.findingCount);
  });
});
