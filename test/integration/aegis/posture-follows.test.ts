import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { aegisControls, aegisFindings } from "../../../src/store/schema/aegis";
import { reopenFinding, resolveFinding, suppressFinding } from "../../../src/surfaces/aegis/finding-workflow";
import { DAY_MS, STATUS } from "../../../src/surfaces/aegis/ocsf";
import { getPostureSummary, getPostureTrend } from "../../../src/surfaces/aegis/posture";
import { openStoreFixture, type StoreFixture } from "./fixture";

/**
 * Suppress, resolve and reopen move the score at once, with numbers worked out by hand: one open High finding
 * (6 points) on a control worth 10, in a tenant with no other findings. Open 0/16, suppressed 8/16 (0/16 again once
 * the suppression lapses), resolved 16/16, reopened 0/16 again; each day keeps one trend point (the day's last
 * computation).
 */

const NOW = Date.parse("2026-11-24T10:00:00Z");
let fx: StoreFixture;
const actor = { userId: "usr_test", name: "Test Tech" };
const otter = () => fx.scopeFor("admin@otter-msp.example", "msp_admin", "otter-msp");

beforeAll(async () => {
  fx = await openStoreFixture();
  await fx.store.db.insert(aegisControls).values({
    id: "ctl_posture_test",
    framework: "cis_v8",
    controlRef: "6.5",
    title: "Require MFA for administrative access",
    category: "Identity",
    profile: "IG1",
    description: "d",
    rationale: "r",
    remediation: "Enforce MFA for admin roles",
    maxScore: 10,
    implementationCost: "low",
    userImpact: "low",
  });
  await fx.store.db.insert(aegisFindings).values({
    id: "fnd_posture_test",
    tenantId: "otter-client",
    uid: "mfa-admins",
    classUid: 2003,
    source: "scanner-a",
    controlId: "ctl_posture_test",
    title: "Admins without MFA",
    description: "Two admins sign in without MFA",
    severityId: 4,
    statusId: STATUS.NEW,
    complianceStatusId: 3,
    remediation: "Enforce MFA",
    firstSeenAt: NOW - DAY_MS,
    lastSeenAt: NOW - DAY_MS,
    createdAt: NOW - DAY_MS,
    updatedAt: NOW - DAY_MS,
  });
});
afterAll(() => fx.close());

const score = async (at: number) => {
  const s = await getPostureSummary(fx.store.db, await otter(), "otter-client", at);
  return [s.score, s.maxScore, s.topImprovementActions[0]?.pointsAvailable ?? 0];
};

describe("posture follows suppress, resolve and reopen", () => {
  test("suppress: 8 of 16, and the MFA control is the top action with 8 points left", async () => {
    await suppressFinding(
      fx.store.db,
      await otter(),
      actor,
      {
        findingId: "fnd_posture_test",
        reason: "accepted_risk",
        justification: "Owner accepts until the hardware keys arrive",
        expiresAt: NOW + 10 * DAY_MS,
      },
      NOW,
    );
    expect(await score(NOW)).toEqual([8, 16, 8]);
  });
  test("lapsed suppression: once expires_at passes the summary reads 0 of 16 again, with no write in between", async () => {
    expect(await score(NOW + 10 * DAY_MS - 1)).toEqual([8, 16, 8]);
    expect(await score(NOW + 10 * DAY_MS)).toEqual([0, 16, 16]);
  });
  test("resolve the next day: 16 of 16, no action left, and a second trend point", async () => {
    await resolveFinding(
      fx.store.db,
      await otter(),
      actor,
      { findingId: "fnd_posture_test", resolutionNote: "MFA enforced for every admin role" },
      NOW + DAY_MS,
    );
    expect(await score(NOW + DAY_MS)).toEqual([16, 16, 0]);
  });
  test("reopen the same day: 0 of 16, still one point for that day", async () => {
    await reopenFinding(
      fx.store.db,
      await otter(),
      actor,
      { findingId: "fnd_posture_test", reason: "the policy was switched off" },
      NOW + DAY_MS + 3_600_000,
    );
    expect(await score(NOW + DAY_MS + 3_600_000)).toEqual([0, 16, 16]);
    const trend = await getPostureTrend(fx.store.db, await otter(), {
      tenantId: "otter-client",
      from: NOW - DAY_MS,
      to: NOW + 2 * DAY_MS,
      interval: "day",
    });
    expect(trend.points.map((p) => [p.date, p.score, p.maxScore])).toEqual([
      ["2026-11-24", 8, 16],
      ["2026-11-25", 0, 16],
    ]);
  });
});
