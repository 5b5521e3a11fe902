import { CATEGORIES, type Category, CLASS_UIDS, STATUS } from "./ocsf";

/**
 * The posture formula: points earned out of points possible, per category, in the shape of Microsoft Secure Score
 * (https://learn.microsoft.com/en-us/defender-xdr/microsoft-secure-score), computed from a tenant's findings and the
 * controls they are mapped to. Pure: the caller reads the rows and passes the clock in; README.md ("Posture follows
 * the data") states the same formula with a worked example.
 *
 * Inputs and weights:
 * - severity: every finding is worth SEVERITY_POINTS[severity_id] points;
 * - control maximum score: every control with at least one finding of the tenant is worth its max_score once;
 * - status: a finding loses STATUS_LOSS of its points (open 1, lapsed suppression 1, suppressed 1/2, resolved 0);
 *   a control loses the largest loss among its findings (one open finding fails the control).
 * A compliance finding whose check passed (OCSF compliance.status_id 1) counts as resolved.
 */

/** Points per finding by OCSF severity_id (0 Unknown .. 6 Fatal). Informational findings carry no points. */
export const SEVERITY_POINTS: Readonly<Record<number, number>> = { 0: 1, 1: 0, 2: 1, 3: 3, 4: 6, 5: 10, 6: 10 };

/**
 * The share of its points a finding loses in each state. Suppression accepts or transfers a risk without removing
 * it, so it wins back half; once the suppression lapses the finding reads as New and loses everything again.
 */
export const STATUS_LOSS = { open: 1, lapsedSuppression: 1, suppressed: 0.5, resolved: 0 } as const;
export type PostureState = keyof typeof STATUS_LOSS;

/** Where a finding without a control counts: the class says what kind of weakness it is. */
export const UNMAPPED_CATEGORY: Readonly<Record<number, Category>> = {
  [CLASS_UIDS.vulnerability]: "Device",
  [CLASS_UIDS.detection]: "Identity",
  [CLASS_UIDS.compliance]: "Infrastructure",
};

export interface PostureControl {
  id: string;
  title: string;
  category: string;
  maxScore: number;
  remediation: string;
  implementationCost: string;
  userImpact: string;
  controlRef: string;
}

export interface PostureFinding {
  id: string;
  title: string;
  classUid: number;
  severityId: number;
  statusId: number;
  suppressedUntil: number | null;
  complianceStatusId: number | null;
  source: string;
  remediation: string;
  control: PostureControl | null;
}

export interface ComputedCategory {
  category: string;
  score: number;
  maxScore: number;
}

export interface ComputedAction {
  /** The control's id, or the finding's id for a finding without a control. */
  key: string;
  controlId: string | null;
  controlRef: string | null;
  title: string;
  category: string;
  actionType: "Control" | "Finding";
  service: string;
  score: number;
  maxScore: number;
  pointsAvailable: number;
  implementationCost: string;
  userImpact: string;
  tier: "Core" | "Defense in Depth";
  remediation: string;
}

export interface ComputedPosture {
  score: number;
  maxScore: number;
  byCategory: ComputedCategory[];
  /** Every action still worth points, most points first, then by title. */
  actions: ComputedAction[];
}

/** Which STATUS_LOSS entry a finding is in at `now`. */
export function postureState(f: PostureFinding, now: number): PostureState {
  if (f.classUid === CLASS_UIDS.compliance && f.complianceStatusId === 1) return "resolved";
  if (f.statusId === STATUS.RESOLVED) return "resolved";
  if (f.statusId === STATUS.SUPPRESSED)
    return f.suppressedUntil !== null && f.suppressedUntil <= now ? "lapsedSuppression" : "suppressed";
  return "open";
}

function categoryOf(f: PostureFinding): string {
  return f.control?.category ?? UNMAPPED_CATEGORY[f.classUid] ?? "Infrastructure";
}

interface Item {
  category: string;
  possible: number;
  earned: number;
}

/** Half points are rounded half up once per category, so the total is the sum of the categories shown. */
export function computePosture(findings: readonly PostureFinding[], now: number): ComputedPosture {
  const items: Item[] = [];
  const controls = new Map<string, { control: PostureControl; loss: number; findings: Item[]; f: PostureFinding[] }>();
  const actions: ComputedAction[] = [];
  for (const f of findings) {
    const loss = STATUS_LOSS[postureState(f, now)];
    const possible = SEVERITY_POINTS[f.severityId] ?? SEVERITY_POINTS[0]!;
    const item = { category: categoryOf(f), possible, earned: possible * (1 - loss) };
    items.push(item);
    if (f.control) {
      const c = controls.get(f.control.id) ?? { control: f.control, loss: 0, findings: [], f: [] };
      c.loss = Math.max(c.loss, loss);
      c.findings.push(item);
      c.f.push(f);
      controls.set(f.control.id, c);
    } else if (item.earned < item.possible) {
      actions.push({
        key: f.id,
        controlId: null,
        controlRef: null,
        title: f.title,
        category: item.category,
        actionType: "Finding",
        service: f.source,
        score: item.earned,
        maxScore: item.possible,
        pointsAvailable: item.possible - item.earned,
        implementationCost: "unknown",
        userImpact: "unknown",
        tier: f.severityId >= 4 ? "Core" : "Defense in Depth",
        remediation: f.remediation,
      });
    }
  }
  for (const { control, loss, findings: its, f } of controls.values()) {
    const item = { category: control.category, possible: control.maxScore, earned: control.maxScore * (1 - loss) };
    items.push(item);
    const possible = item.possible + its.reduce((n, i) => n + i.possible, 0);
    const earned = item.earned + its.reduce((n, i) => n + i.earned, 0);
    if (earned < possible)
      actions.push({
        key: control.id,
        controlId: control.id,
        controlRef: control.controlRef,
        title: control.title,
        category: control.category,
        actionType: "Control",
        service: [...new Set(f.map((x) => x.source))].sort().join(", "),
        score: earned,
        maxScore: possible,
        pointsAvailable: possible - earned,
        implementationCost: control.implementationCost,
        userImpact: control.userImpact,
        tier: f.some((x) => x.severityId >= 4) ? "Core" : "Defense in Depth",
        remediation: control.remediation,
      });
  }
  const names = [...CATEGORIES, ...new Set(items.map((i) => i.category).filter((c) => !isCategory(c)))];
  const byCategory = names.map((category) => {
    const mine = items.filter((i) => i.category === category);
    return {
      category,
      score: roundHalfUp(mine.reduce((n, i) => n + i.earned, 0)),
      maxScore: mine.reduce((n, i) => n + i.possible, 0),
    };
  });
  actions.sort((a, b) => b.pointsAvailable - a.pointsAvailable || a.title.localeCompare(b.title));
  return {
    score: byCategory.reduce((n, c) => n + c.score, 0),
    maxScore: byCategory.reduce((n, c) => n + c.maxScore, 0),
    byCategory,
    actions,
  };
}

function isCategory(c: string): c is Category {
  return (CATEGORIES as readonly string[]).includes(c);
}

function roundHalfUp(x: number): number {
  return Math.floor(x + 0.5);
}
