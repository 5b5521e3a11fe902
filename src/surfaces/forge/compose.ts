import type { DealFacts, QuoteFacts } from "./entities";
import type { FactSheet } from "./facts";
import type { DocumentView } from "./documents";

/**
 * Pure templates: summaries, client messages and QBR outlines from loaded facts. Deterministic (same facts ->
 * same text), audience-aware (a technician gets ids, commands and next steps; a client executive gets business
 * risk, plain words and no jargon), and never sent anywhere: callers return the text for a human to review.
 */

export type Audience = "technician" | "client_executive";

export interface Summary {
  headline: string;
  summary: string;
  key_points: string[];
  next_steps: string[];
}

/** Jargon a client executive should not have to decode. */
const PLAIN: [RegExp, string][] = [
  [/\bConditional Access\b/g, "sign-in rules"],
  [/\bMFA\b/g, "two-step sign-in"],
  [/\blegacy authentication\b/gi, "old sign-in methods that cannot use two-step verification"],
  [/\bDMARC\b/g, "email anti-spoofing (DMARC)"],
  [/\bBitLocker\b/g, "disk encryption (BitLocker)"],
  [/\bEDR\b/g, "endpoint protection"],
];

export function plainWords(text: string): string {
  return PLAIN.reduce((t, [re, rep]) => t.replace(re, rep), text);
}

export function limitWords(text: string, maxWords: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length <= maxWords) return text;
  return `${words.slice(0, maxWords).join(" ")}…`;
}

export function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return (m?.[1] ?? text).trim();
}

export function summariseDocument(d: DocumentView, audience: Audience, sheet: FactSheet): Summary {
  const steps = d.steps ?? [];
  const summary = sheet.use(d.id, "summary", d.summary);
  return {
    headline: sheet.use(d.id, "title", d.title),
    summary:
      audience === "technician"
        ? `${d.kind === "runbook" ? "Runbook" : "Article"} ${d.id} v${sheet.use(d.id, "version", d.version)}. ${summary}`
        : plainWords(summary),
    key_points:
      d.kind === "runbook"
        ? steps
            .slice(0, audience === "technician" ? 12 : 5)
            .map((s) => `${s.n}. ${audience === "technician" ? s.text : plainWords(s.text)}`)
        : d.body
            .split(/\n+/)
            .map((l) => l.replace(/^[-*#\d.\s]+/, "").trim())
            .filter(Boolean)
            .slice(0, 6),
    next_steps:
      d.kind === "runbook"
        ? [`Open the full runbook with forge_get_runbook("${d.id}").`]
        : [`Open the full article with forge_get_article("${d.id}").`],
  };
}

/** "24 × Managed EDR at $8.00 per month, 10% off = $172.80 per month": the line total is what the client pays. */
export function quoteLine(q: QuoteFacts, l: QuoteFacts["lines"][number], sheet: FactSheet): string {
  const src = `${q.id}#line${l.line_no}`;
  const per = l.billing === "one-time" ? "" : ` ${l.billing}`;
  const discount = l.discount_pct ? `, ${sheet.use(src, "discount_pct", l.discount_pct)}% discount` : "";
  return (
    `${sheet.use(src, "quantity", l.quantity)} × ${sheet.use(src, "description", l.description)} at ` +
    `${sheet.use(src, "unit_price", l.unit_price)}${per} each${discount} = ` +
    `${sheet.use(src, "line_total", l.line_total)}${per}`
  );
}

/** Subtotal, tax (stated as excluded from the line prices and added on top) and total, per billing bucket. */
export function quoteTotals(q: QuoteFacts, sheet: FactSheet): string[] {
  const rate = sheet.use(q.id, "tax_rate_pct", q.tax_rate_pct);
  const lines: string[] = [];
  for (const b of q.buckets) {
    const per = b.key === "monthly" ? " per month" : b.key === "annual" ? " per year" : "";
    lines.push(
      `${b.label}: subtotal ${sheet.use(q.id, `${b.key}.subtotal`, b.subtotal)}${per}, tax ` +
        `${sheet.use(q.id, `${b.key}.tax`, b.tax)} (${rate}%, not included in the prices above), total ` +
        `${sheet.use(q.id, `${b.key}.total`, b.total)}${per}`,
    );
  }
  lines.push(
    `First ` +
      `invoice${q.buckets.length > 1 ? " (one-time charges plus the first recurring period)" : ""}: ` +
      `${sheet.use(q.id, "first_invoice_total", q.first_invoice_total)} including tax`,
  );
  return lines;
}

export function noteMissingQuoteFacts(q: QuoteFacts, sheet: FactSheet): void {
  if (!q.buckets.some((b) => b.key === "one_time"))
    sheet.lack("one_time", "the quote has no one-time lines, so there is no one-time charge");
  if (!q.buckets.some((b) => b.key === "monthly" || b.key === "annual"))
    sheet.lack("recurring", "the quote has no recurring lines");
}

export function summariseQuote(q: QuoteFacts, audience: Audience, sheet: FactSheet): Summary {
  const lines = q.lines.map((l) => quoteLine(q, l, sheet));
  const totals = quoteTotals(q, sheet);
  noteMissingQuoteFacts(q, sheet);
  const title = sheet.use(q.id, "title", q.title);
  const tenant = sheet.use(q.tenant_id, "name", q.tenant_name);
  const validUntil = sheet.use(q.id, "valid_until", q.valid_until);
  const status = sheet.use(q.id, "status", q.status);
  if (audience === "technician") {
    return {
      headline: `${sheet.use(q.id, "number", q.number)} v${sheet.use(q.id, "version", q.version)} (${status}) — ${title}`,
      summary: `Quote for ${tenant} in ${sheet.use(q.id, "currency", q.currency)}, valid until ${validUntil}. ${totals.join(". ")}.`,
      key_points: lines,
      next_steps:
        status === "draft"
          ? [
              "Review the lines, then send it to the client contact; draft a cover note with forge_draft_client_message.",
            ]
          : status === "sent"
            ? ["Follow up with the client before it expires; record the decision with cavalier_record_quote_decision."]
            : ["No action: the quote is closed."],
    };
  }
  const headlineAmounts = q.buckets
    .map((b) =>
      b.key === "monthly"
        ? `${sheet.use(q.id, "monthly.subtotal", b.subtotal)} per month`
        : b.key === "annual"
          ? `${sheet.use(q.id, "annual.subtotal", b.subtotal)} per year`
          : `${sheet.use(q.id, "one_time.subtotal", b.subtotal)} one-time`,
    )
    .join(" plus ");
  return {
    headline: `${title}: ${headlineAmounts} before tax`,
    summary: `This proposal for ${tenant} covers ${lines.length} item(s) and is valid until ${validUntil}. ${totals.join(". ")}.`,
    key_points: lines,
    next_steps:
      status === "draft" || status === "sent"
        ? ["Reply to accept, or ask us to adjust quantities or terms."]
        : ["No decision needed."],
  };
}

function formatZero(sample: string): string {
  return sample.replace(/\d/g, "0");
}

export function summariseDeal(d: DealFacts, audience: Audience, sheet: FactSheet): Summary {
  const quotes = d.quotes.map(
    (q) =>
      `${sheet.use(q.id, "number", q.number)} v${sheet.use(q.id, "version", q.version)}: ${sheet.use(q.id, "status", q.status)}`,
  );
  if (quotes.length === 0) sheet.lack("quotes", "the deal has no quotes yet");
  if (!d.expected_close) sheet.lack("expected_close", "the deal has no expected close date");
  if (!d.has_live_quote)
    sheet.lack(
      "estimate",
      "no accepted or still-valid quote backs the deal, so there is no recurring or one-time estimate",
    );
  const name = sheet.use(d.id, "name", d.name);
  const tenant = sheet.use(d.tenant_id, "name", d.tenant_name);
  const mrr = d.has_live_quote ? sheet.use(d.id, "est_mrr", d.est_mrr) : null;
  const nrc = d.has_live_quote ? sheet.use(d.id, "est_nrc", d.est_nrc) : null;
  if (audience === "technician") {
    const stage = sheet.use(d.id, "stage", d.stage);
    return {
      headline: `${name} (${stage}, ${sheet.use(d.id, "probability_pct", d.probability_pct)}%)`,
      summary:
        `Deal ${d.id} for ${tenant}: ` +
        `${mrr ? `estimated ${mrr}/month recurring and ${nrc} one-time` : "no live quote, so no estimate"}` +
        `${d.expected_close ? `, expected to close ${sheet.use(d.id, "expected_close", d.expected_close)}` : ""}.` +
        `${d.notes ? ` Notes: ${sheet.use(d.id, "notes", d.notes)}` : ""}`,
      key_points: quotes.length ? quotes : ["No quotes yet"],
      next_steps: stage.startsWith("closed")
        ? ["No action: the deal is closed."]
        : [
            "Move the deal forward with the client, keep the live quote current, and update the stage with cavalier_update_deal_stage.",
          ],
    };
  }
  const latest = d.quotes[0];
  return {
    headline: name,
    summary:
      `A proposed service change for ` +
      `${tenant}${mrr ? `, estimated at ${mrr} per month before tax${d.est_nrc !== formatZero(d.est_nrc) ? ` plus ${nrc} one-time` : ""}` : ""}.`,
    key_points: latest ? [`Latest proposal ${latest.number}: ${latest.status}`] : ["No proposal has been issued yet."],
    next_steps: ["We will walk you through the proposal at your convenience."],
  };
}
