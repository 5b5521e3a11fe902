import { describe, expect, test } from "bun:test";
import { DAY_MS, STATUS } from "../../../src/surfaces/aegis/ocsf";
import {
  computePosture,
  type PostureControl,
  type PostureFinding,
  SEVERITY_POINTS,
  STATUS_LOSS,
} from "../../../src/surfaces/aegis/posture-formula";

/**
 * The posture formula with numbers worked out by hand, one input at a time (README "Posture follows the data").
 * Severity points: Low 1, Medium 3, High 6, Critical 10. Status loss: open 1, lapsed 1, suppressed 1/2, resolved 0.
 */

const NOW = Date.parse("2026-11-24T10:00:00Z");

const mfa: PostureControl = {
  id: "ctl_mfa",
  title: "Require MFA for administrators",
  category: "Identity",
  maxScore: 10,
  remediation: "Conditional Access for admin roles",
  implementationCost: "low",
  userImpact: "low",
  controlRef: "1.1.1",
};

function finding(over: Partial<PostureFinding>): PostureFinding {
  return {
    id: "fnd_1",
    title: "A finding",
    classUid: 2004,
    severityId: 4,
    statusId: STATUS.NEW,
    suppressedUntil: null,
    complianceStatusId: null,
    source: "scanner-a",
    remediation: "Fix it",
    control: null,
    ...over,
  };
}

const category = (p: ReturnType<typeof computePosture>, name: string) => p.byCategory.find((c) => c.category === name)!;

describe("the weights are the documented ones", () => {
  test("severity points and status losses", () => {
    expect(SEVERITY_POINTS).toEqual({ 0: 1, 1: 0, 2: 1, 3: 3, 4: 6, 5: 10, 6: 10 });
    expect(STATUS_LOSS).toEqual({ open: 1, lapsedSuppression: 1, suppressed: 0.5, resolved: 0 });
  });
});

describe("severity", () => {
  test("an open High (6) and a resolved Medium (3): 3 of 9 points", () => {
    const p = computePosture(
      [finding({ id: "a", severityId: 4 }), finding({ id: "b", severityId: 3, statusId: STATUS.RESOLVED })],
      NOW,
    );
    expect([p.score, p.maxScore]).toEqual([3, 9]);
    // A detection without a control counts under Identity.
    expect(category(p, "Identity")).toEqual({ category: "Identity", score: 3, maxScore: 9 });
    expect(p.actions.map((a) => [a.title, a.pointsAvailable])).toEqual([["A finding", 6]]);
  });
  test("Critical is worth 10, Informational nothing", () => {
    const p = computePosture([finding({ severityId: 5 }), finding({ id: "i", severityId: 1 })], NOW);
    expect([p.score, p.maxScore]).toEqual([0, 10]);
  });
});

describe("control maximum score", () => {
  test("a control counts once at its max_score, on top of its findings' severity points", () => {
    // Two open Low findings on one control: 1 + 1 + 10 possible, nothing earned.
    const open = computePosture(
      [finding({ id: "a", severityId: 2, control: mfa }), finding({ id: "b", severityId: 2, control: mfa })],
      NOW,
    );
    expect([open.score, open.maxScore]).toEqual([0, 12]);
    expect(open.actions).toHaveLength(1);
    expect(open.actions[0]).toMatchObject({ controlRef: "1.1.1", maxScore: 12, score: 0, pointsAvailable: 12 });
    // One of the two resolved: the finding earns its 1 point, the control still fails (one finding open).
    const half = computePosture(
      [
        finding({ id: "a", severityId: 2, control: mfa, statusId: STATUS.RESOLVED }),
        finding({ id: "b", severityId: 2, control: mfa }),
      ],
      NOW,
    );
    expect([half.score, half.maxScore]).toEqual([1, 12]);
    // Both resolved: 12 of 12 and no action left.
    const done = computePosture(
      [
        finding({ id: "a", severityId: 2, control: mfa, statusId: STATUS.RESOLVED }),
        finding({ id: "b", severityId: 2, control: mfa, statusId: STATUS.RESOLVED }),
      ],
      NOW,
    );
    expect([done.score, done.maxScore, done.actions.length]).toEqual([12, 12, 0]);
  });
  test("a passing compliance check counts as resolved", () => {
    const p = computePosture([finding({ classUid: 2003, severityId: 3, control: mfa, complianceStatusId: 1 })], NOW);
    expect([p.score, p.maxScore]).toEqual([13, 13]);
  });
});

describe("status", () => {
  test("open: a High on the MFA control loses 6 + 10", () => {
    const p = computePosture([finding({ control: mfa })], NOW);
    expect([p.score, p.maxScore]).toEqual([0, 16]);
  });
  test("suppressed: wins back half, 8 of 16", () => {
    const p = computePosture(
      [finding({ control: mfa, statusId: STATUS.SUPPRESSED, suppressedUntil: NOW + 30 * DAY_MS })],
      NOW,
    );
    expect([p.score, p.maxScore]).toEqual([8, 16]);
    expect(p.actions[0]!.pointsAvailable).toBe(8);
  });
  test("resolved: 16 of 16", () => {
    const p = computePosture([finding({ control: mfa, statusId: STATUS.RESOLVED })], NOW);
    expect([p.score, p.maxScore]).toEqual([16, 16]);
  });
  test("lapsed suppression: counts as open again, 0 of 16, from the instant it lapses", () => {
    const lapsed = finding({ control: mfa, statusId: STATUS.SUPPRESSED, suppressedUntil: NOW });
    expect(computePosture([lapsed], NOW).score).toBe(0);
    expect(computePosture([lapsed], NOW - 1).score).toBe(8);
  });
  test("half points round half up once per category: a suppressed Medium is 1.5 -> 2 of 3", () => {
    const p = computePosture(
      [finding({ severityId: 3, statusId: STATUS.SUPPRESSED, suppressedUntil: NOW + DAY_MS })],
      NOW,
    );
    expect([p.score, p.maxScore]).toEqual([2, 3]);
  });
});

describe("categories and actions", () => {
  test("all five categories are always reported; unmapped vulnerabilities count under Device", () => {
    const p = computePosture([finding({ classUid: 2002, severityId: 3 })], NOW);
    expect(p.byCategory.map((c) => c.category)).toEqual(["Identity", "Device", "Data", "Apps", "Infrastructure"]);
    expect(category(p, "Device")).toEqual({ category: "Device", score: 0, maxScore: 3 });
  });
  test("actions are ranked by points available, most first", () => {
    const p = computePosture(
      [finding({ id: "low", title: "Low one", severityId: 2 }), finding({ id: "c", severityId: 4, control: mfa })],
      NOW,
    );
    expect(p.actions.map((a) => [a.title, a.pointsAvailable])).toEqual([
      ["Require MFA for administrators", 16],
      ["Low one", 1],
    ]);
  });
});
