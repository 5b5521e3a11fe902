import { HOUR_MS, type HourlyCount } from "../audit/query";
import { escapeHtml } from "../http/responses";

/** Outcome colours, from good to bad; anything else is grey. Same palette as the outcome badges in admin.css. */
export const OUTCOME_COLOURS: Record<string, string> = {
  ok: "#2f855a",
  confirmed: "#48bb78",
  confirmation_required: "#d69e2e",
  declined: "#718fb0",
  tool_error: "#dd6b20",
  invalid_input: "#ed8936",
  denied_scope: "#e53e3e",
  denied_cross_tenant: "#c53030",
  denied_origin: "#b83280",
  invalid_request: "#f6ad55",
  unauthorized: "#9b2c2c",
  failed: "#742a2a",
};
const OTHER = "#718096";
const MAX_BARS = 24 * 31;

function colourOf(outcome: string): string {
  return OUTCOME_COLOURS[outcome] ?? OTHER;
}

function hourLabel(ms: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : `${iso.slice(11, 13)}:00`;
}

/**
 * A stacked bar chart of calls per hour by outcome over [from, to), as inline SVG (no script, no library).
 * Long ranges are grouped into multi-hour bars so there are never more than MAX_BARS. Pure.
 */
export function renderCallsChart(counts: readonly HourlyCount[], from: number, to: number): string {
  const start = Math.floor(from / HOUR_MS) * HOUR_MS;
  const hours = Math.max(1, Math.ceil((to - start) / HOUR_MS));
  const per = Math.ceil(hours / MAX_BARS);
  const bars = Math.ceil(hours / per);
  const stacks: Map<string, number>[] = Array.from({ length: bars }, () => new Map());
  const outcomes = new Map<string, number>();
  for (const c of counts) {
    const i = Math.floor((c.hour - start) / HOUR_MS / per);
    if (i < 0 || i >= bars) continue;
    stacks[i]!.set(c.outcome, (stacks[i]!.get(c.outcome) ?? 0) + c.count);
    outcomes.set(c.outcome, (outcomes.get(c.outcome) ?? 0) + c.count);
  }
  const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...stacks.map((s) => [...s.values()].reduce((a, b) => a + b, 0)));
  const W = 960,
    H = 200,
    left = 40,
    right = 8,
    top = 10,
    bottom = 28;
  const plotW = W - left - right,
    plotH = H - top - bottom;
  const bw = plotW / bars;
  const order = [
    ...Object.keys(OUTCOME_COLOURS),
    ...[...outcomes.keys()].filter((o) => !(o in OUTCOME_COLOURS)).sort(),
  ];
  const parts: string[] = [];
  // Gridlines at 0, max/2, max.
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    const v = Math.round(max * f);
    parts.push(`<line x1="${left}" y1="${y.toFixed(1)}" x2="${W - right}" y2="${y.toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="axis">${v}</text>`);
  }
  const multiDay = hours > 24;
  const labelEvery = Math.max(1, Math.ceil(bars / 8));
  for (let i = 0; i < bars; i++) {
    const t0 = start + i * per * HOUR_MS;
    const s = stacks[i]!;
    let y = top + plotH;
    const x = left + i * bw;
    const w = Math.max(1, bw - (bw > 4 ? 1.5 : 0));
    const tip: string[] = [];
    for (const o of order) {
      const n = s.get(o);
      if (!n) continue;
      const h = (n / max) * plotH;
      y -= h;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${colourOf(o)}"/>`,
      );
      tip.push(`${o} ${n}`);
    }
    const label = `${new Date(t0).toISOString().slice(0, 13).replace("T", " ")}:00 UTC${per > 1 ? ` (+${per}h)` : ""}`;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${top}" width="${bw.toFixed(1)}" height="${plotH}" class="hit">\
<title>${escapeHtml(label)}${tip.length ? ` — ${escapeHtml(tip.join(", "))}` : " — no calls"}</title></rect>`,
    );
    if (i % labelEvery === 0) {
      parts.push(
        `<text x="${(x + bw / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle" class="axis">${hourLabel(t0, multiDay)}</text>`,
      );
    }
  }
  const legend = order
    .filter((o) => outcomes.has(o))
    .map(
      (o) =>
        `<span class="legend-item"><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" \
fill="${colourOf(o)}"/></svg>${escapeHtml(o)} <b>${outcomes.get(o)}</b></span>`,
    )
    .join("");
  const caption = `${total} call${total === 1 ? "" : "s"} · ${per === 1 ? "per hour" : `per ${per} hours`} · UTC`;
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Calls per hour by outcome: ${total} calls" \
preserveAspectRatio="none">${parts.join("")}</svg><figcaption><span class="muted">${escapeHtml(caption)}</span>${legend}</figcaption></figure>`;
}
