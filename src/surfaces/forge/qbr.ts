import type { QbrFacts } from "./entities";
import type { FactSheet } from "./facts";

/** The quarterly business review outline, from counts the caller loaded. */

export interface QbrSection {
  heading: string;
  bullets: string[];
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 10) / 10;
}

export function buildQbrOutline(
  f: QbrFacts,
  sheet: FactSheet,
): { title: string; sections: QbrSection[]; talking_points: string[] } {
  const period = `${new Date(f.from).toISOString().slice(0, 10)} to ${new Date(f.to).toISOString().slice(0, 10)}`;
  const tid = f.tenant_id;
  const sections: QbrSection[] = [];
  const talking: string[] = [];
  const t = f.trend;
  const p = f.posture;
  const postureBullets: string[] = [];
  if (t && t.start_percent !== null && t.end_percent !== null) {
    const start = sheet.use(tid, "secure_score.start_percent", t.start_percent);
    const end = sheet.use(tid, "secure_score.end_percent", t.end_percent);
    const delta = Math.round((t.end_percent - t.start_percent) * 10) / 10;
    postureBullets.push(
      `Secure Score ${start}% -> ${end}% (${delta >= 0 ? "+" : ""}${delta} percentage points) over the period`,
    );
    if (t.min_percent !== null && t.min_percent < Math.min(t.start_percent, t.end_percent) - 3)
      postureBullets.push(
        `Lowest point ${sheet.use(tid, "secure_score.min_percent", t.min_percent)}%: explain the dip and what changed`,
      );
    const moves = [...t.by_category_change].sort(
      (a, b) => b.end_percent - b.start_percent - (a.end_percent - a.start_percent),
    );
    const best = moves[0];
    const worst = moves[moves.length - 1];
    if (best)
      postureBullets.push(
        `Biggest improvement: ${best.category} ` +
          `(${sheet.use(tid, `secure_score.${best.category}.start_percent`, best.start_percent)}% -> ` +
          `${sheet.use(tid, `secure_score.${best.category}.end_percent`, best.end_percent)}%)`,
      );
    if (worst && worst !== best)
      postureBullets.push(
        `Weakest movement: ${worst.category} ` +
          `(${sheet.use(tid, `secure_score.${worst.category}.start_percent`, worst.start_percent)}% -> ` +
          `${sheet.use(tid, `secure_score.${worst.category}.end_percent`, worst.end_percent)}%)`,
      );
    talking.push(
      delta >= 5
        ? `Celebrate the ${delta}-point improvement and credit the client's staff for adopting the changes.`
        : delta <= -3
          ? "Own the score drop: explain the cause and the recovery plan."
          : "Posture is stable: the next gains come from the top improvement actions.",
    );
    sections.push({ heading: "Security posture trend", bullets: postureBullets });
  } else {
    sheet.lack("secure_score_trend", "no posture scores are recorded for this tenant in the period");
  }
  const opened = sheet.use(tid, "findings_opened_in_period", f.findings_opened);
  const resolved = sheet.use(tid, "findings_resolved_in_period", f.findings_resolved);
  sections.push({
    heading: "Findings handled",
    bullets: [
      `${opened} new finding(s) detected, ${resolved} resolved in the period`,
      ...(p
        ? p.open_findings_by_severity.map(
            (s) => `${sheet.use(tid, `open_findings.${s.severity}`, s.count)} open ${s.severity}`,
          )
        : []),
    ],
  });
  if (p?.top_improvement_actions.length) {
    sections.push({
      heading: "Recommended next improvements",
      bullets: p.top_improvement_actions
        .slice(0, 5)
        .map(
          (a) =>
            `${sheet.use(tid, "improvement_action", a.title)} (+${a.points_available} pts, ${a.implementation_cost} effort, ${a.user_impact} user impact)`,
        ),
    });
    talking.push(`Ask for approval of "${p.top_improvement_actions[0]!.title}" — the largest single gain available.`);
  } else if (!p) {
    sheet.lack("improvement_actions", "no posture summary is recorded for this tenant");
  }
  if (f.open_deals.length) {
    sections.push({
      heading: "Roadmap and open proposals",
      bullets: f.open_deals.map(
        (d) =>
          `${sheet.use(d.id, "name", d.name)} — ${sheet.use(d.id, "stage", d.stage)}, ` +
          `${d.has_live_quote ? `~${sheet.use(d.id, "est_mrr", d.est_mrr)}/month before tax` : "no live quote yet"}` +
          `${d.quotes[0] ? ` (${sheet.use(d.quotes[0].id, "number", d.quotes[0].number)} ${sheet.use(d.quotes[0].id, "status", d.quotes[0].status)})` : ""}`,
      ),
    });
    talking.push(`Agree a decision date for "${f.open_deals[0]!.name}".`);
  } else {
    sheet.lack("open_deals", "the tenant has no open deals; ask about upcoming hires, renewals and projects");
  }
  // Service review: only what the appliance records. Ticket data lives in the PSA, which it does not hold.
  const service: string[] = [];
  if (f.resolution_days.length) {
    service.push(
      `Security findings resolved in the period: ${resolved}, median ` +
        `${sheet.use(tid, "median_days_to_resolve", median(f.resolution_days))} days from detection to ` +
        `fix`,
    );
  }
  if (service.length) sections.push({ heading: "Service review", bullets: service });
  sheet.lack(
    "ticket_volumes",
    "ticket counts and response times are kept in the PSA, which this appliance does not hold",
  );
  sheet.lack("satisfaction", "no customer satisfaction survey results are recorded on this appliance");
  sheet.lack("staff_changes", "joiner and leaver records are kept in the PSA/HR system, not on this appliance");
  return {
    title: `${sheet.use(tid, "name", f.tenant_name)} quarterly business review (${period})`,
    sections: sections.map((s, i) => ({ ...s, heading: `${i + 1}. ${s.heading}` })),
    talking_points: talking,
  };
}
