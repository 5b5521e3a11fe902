import type { FindingDetail } from "../aegis/service";
import type { ContactFacts, DealFacts, QbrFacts, QuoteFacts } from "./entities";
import { type FactSheet, greetingName } from "./facts";
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

function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(text.trim());
  return (m?.[1] ?? text).trim();
}

function remediationSteps(text: string): string[] {
  const numbered = text
    .split(/\n+/)
    .map((l) => l.replace(/^\s*\d+[.)]\s*/, "").trim())
    .filter(Boolean);
  if (numbered.length > 1) return numbered;
  return text
    .split(/(?<=\.)\s+(?=[A-Z0-9])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const RISK_WORDS: Record<string, string> = {
  Fatal: "an active, business-stopping threat",
  Critical: "a critical risk that attackers actively exploit",
  High: "a high risk that should be fixed this week",
  Medium: "a moderate risk to fix this month",
  Low: "a low risk to address as part of routine hardening",
  Informational: "an informational item; no risk on its own",
};

/**
 * What a finding means for a business owner, by topic: [pattern over title + types, what we found, why it matters].
 * First match wins; the order puts active threats before hygiene.
 */
const EXECUTIVE_EXPLAINERS: [RegExp, string, string][] = [
  [
    /ransomware/i,
    "Ransomware activity was detected on one of your computers.",
    "Ransomware encrypts files and stops work; fast containment is what limits the damage.",
  ],
  [
    /forwarding rule|inbox rule|mail forwarding/i,
    "A mailbox shows signs of takeover: a hidden rule sends copies of mail outside the organisation.",
    "This is how invoice and payment fraud usually starts.",
  ],
  [
    /impossible travel|sign-in for|unusual sign/i,
    "An unusual sign-in was seen on one of your accounts.",
    "It can mean a stolen password; we check every one.",
  ],
  [
    /rdp|3389|reachable from the internet|exposed/i,
    "A server's remote-access door is open to the whole internet.",
    "This is the most common way ransomware gangs break in.",
  ],
  [
    /legacy auth/i,
    "Older email apps and devices can still sign in with just a password, skipping two-step sign-in.",
    "Attackers target these old sign-in methods precisely because they skip the second step.",
  ],
  [
    /global admin|administrative roles|global administrators/i,
    "Too many accounts, or unprotected ones, hold full administrator rights.",
    "Whoever controls an administrator account controls all of your Microsoft 365 data.",
  ],
  [
    /emergency access|break-glass/i,
    "There is no emergency way back in if your administrators are locked out.",
    "A mistake or an outage could lock everyone out of Microsoft 365 for days.",
  ],
  [
    /\bmfa\b|multifactor|two-step/i,
    "Some accounts can be signed into with just a password.",
    "Stolen or guessed passwords are the most common way in; a second sign-in step stops almost all of these attacks.",
  ],
  [
    /dmarc|spf|dkim|spoof/i,
    "Your email domain is not fully protected against impersonation.",
    "Criminals can send email that appears to come from you to your clients, patients or suppliers.",
  ],
  [
    /bitlocker|encrypt/i,
    "Some laptops or devices are not encrypted.",
    "If one is lost or stolen, the data on it can be read, which is a reportable data breach.",
  ],
  [
    /patch|cumulative update|versions behind|outdated/i,
    "Some computers are missing security updates.",
    "Attackers actively use known weaknesses in software that has not been updated.",
  ],
  [
    /consent/i,
    "Staff can give outside apps access to company email and files.",
    "Malicious apps use this to keep reading mail even after a password change.",
  ],
  [
    /sharing|anyone/i,
    "Files can be shared through anonymous links.",
    "Anyone holding such a link can open the file, and links get forwarded.",
  ],
  [
    /shared mailbox/i,
    "A shared mailbox can be signed into directly.",
    "Unowned accounts with passwords are an easy target for password guessing.",
  ],
  [
    /password length|ntlm|lan manager|script block|powershell/i,
    "A server's security settings are below the industry baseline.",
    "Weak settings make it easier for an intruder to spread and harder for us to investigate.",
  ],
  [
    /audit log/i,
    "Microsoft 365 activity logging (the audit log) was reviewed.",
    "Without logs we cannot tell what an intruder saw or did.",
  ],
  [
    /password reset/i,
    "Staff cannot reset their own passwords.",
    "Help-desk resets are slower and easier to abuse by impostors.",
  ],
];

function explainForExecutive(f: FindingDetail): { what: string; why: string } {
  const topic = `${f.title} ${f.types.join(" ")}`;
  const hit = EXECUTIVE_EXPLAINERS.find(([re]) => re.test(topic));
  return hit
    ? { what: hit[1], why: hit[2] }
    : { what: plainWords(firstSentence(f.title)), why: plainWords(firstSentence(f.description)) };
}

const SCALE_NOUNS =
  "users|accounts|devices|laptops|computers|servers|mailboxes|endpoints|machines|workstations|pcs|admins|administrators|sites|domains";
const SCALE_OF = new RegExp(`\\b(\\d[\\d,]*) of (\\d[\\d,]*) (${SCALE_NOUNS})\\b`, "i");
const SCALE_COUNT = new RegExp(
  `\\b(\\d[\\d,]*) (?:enabled |active |privileged |unmanaged |unencrypted )?(${SCALE_NOUNS})\\b`,
  "i",
);

/**
 * How much of the client a finding touches, in the finding's own numbers: "14 of 42 users" from its title or
 * description when the scanner stated it there, else the resources recorded on the finding, counted by kind.
 */
export function findingScale(f: FindingDetail, sheet: FactSheet): string {
  for (const [field, text] of [
    ["title", f.title],
    ["description", f.description],
  ] as const) {
    const m = SCALE_OF.exec(text);
    if (m) return sheet.use(f.id, `${field} (scale)`, `${m[1]} of ${m[2]} ${m[3]!.toLowerCase()}`);
  }
  for (const [field, text] of [
    ["title", f.title],
    ["description", f.description],
  ] as const) {
    const m = SCALE_COUNT.exec(text);
    if (m) return sheet.use(f.id, `${field} (scale)`, `${m[1]} ${m[2]!.toLowerCase()}`);
  }
  if (f.resources.length === 0) {
    sheet.lack("affected_resources", "the finding records no affected resources and states no count");
    return "no recorded resources";
  }
  const byKind = new Map<string, number>();
  for (const r of f.resources) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
  return sheet.use(
    f.id,
    "resources (by kind)",
    [...byKind].map(([kind, n]) => `${n} ${kind}${n === 1 ? "" : "s"}`).join(", "),
  );
}

export function summariseFinding(f: FindingDetail, audience: Audience, sheet: FactSheet): Summary {
  const control = f.control
    ? sheet.use(f.control.id, "control", `${f.control.framework_name} ${f.control.control_ref}`)
    : null;
  if (!f.control) sheet.lack("control", "the finding is not mapped to a framework control");
  const scale = findingScale(f, sheet);
  if (audience === "technician") {
    const resources = f.resources.map((r) => sheet.use(r.id, "name", r.name));
    const last = f.history[0];
    const severity = sheet.use(f.id, "severity", f.severity);
    const status = sheet.use(f.id, "status", f.status);
    return {
      headline: `[${severity} / ${status}] ${sheet.use(f.id, "title", f.title)}`,
      summary: `${f.class_name} ${f.id} (${sheet.use(f.tenant_id, "name", f.tenant_name)})${control ? `, control ${control}` : ""}. ${sheet.use(f.id, "description", f.description)} Scale: ${scale}. Recorded resources: ${resources.join(", ") || "none"}.${f.assignee ? ` Assigned to ${sheet.use(f.id, "assignee", f.assignee)}.` : " Unassigned."}${last ? ` Last activity ${last.at.slice(0, 10)}: ${last.action}${last.comment ? ` — ${last.comment}` : ""}.` : ""}`,
      key_points: [
        `Severity ${severity} (OCSF ${f.severity_id}), status ${status} (OCSF ${f.status_id}), risk score ${sheet.use(f.id, "risk_score", f.risk_score)}/100`,
        `First seen ${sheet.use(f.id, "first_seen", f.first_seen.slice(0, 10))}, last seen ${sheet.use(f.id, "last_seen", f.last_seen.slice(0, 10))}`,
        ...(f.suppression && f.status === "Suppressed"
          ? [
              `Suppressed (${f.suppression.reason}) until ${f.suppression.until?.slice(0, 10)}: ${f.suppression.justification}`,
            ]
          : []),
        ...(f.suppression?.expired ? ["Suppression has lapsed: the finding counts as New again"] : []),
        ...(f.resolution?.note ? [`Resolution: ${sheet.use(f.id, "resolution_note", f.resolution.note)}`] : []),
      ],
      next_steps:
        f.status === "Resolved"
          ? ["Nothing to do; attach the evidence to the quarter's evidence pack (aegis_export_evidence)."]
          : [
              ...remediationSteps(sheet.use(f.id, "remediation", f.remediation)),
              "When done, call aegis_resolve_finding with the evidence (change id, screenshot or report).",
            ],
    };
  }
  const severity = sheet.use(f.id, "severity", f.severity);
  const risk = RISK_WORDS[severity] ?? "a security risk";
  const { what, why } = explainForExecutive(f);
  const status = sheet.use(f.id, "status", f.status);
  const state =
    status === "Resolved"
      ? "This has been fixed."
      : status === "In Progress"
        ? "Our team is already working on it."
        : status === "Suppressed"
          ? f.suppression?.until
            ? `You accepted this risk until ${sheet.use(f.id, "suppressed_until", f.suppression.until.slice(0, 10))}.`
            : "You accepted this risk."
          : "We have not started on it yet and recommend scheduling it.";
  return {
    headline: what,
    summary: `${what} It affects ${scale}. ${why} This is ${risk}. ${state}`,
    key_points: [
      `What it affects: ${scale}`,
      `Why it matters: ${why}`,
      ...(control ? [`Industry standard: ${control}`] : []),
    ],
    next_steps:
      status === "Resolved"
        ? ["No action needed from you."]
        : status === "Suppressed"
          ? ["We will ask you to review this decision before it lapses."]
          : [
              "Approve the fix (typical effort: a short change window, minimal disruption to staff).",
              "Tell staff to expect the change if it affects how they sign in.",
            ],
  };
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
function quoteLine(q: QuoteFacts, l: QuoteFacts["lines"][number], sheet: FactSheet): string {
  const src = `${q.id}#line${l.line_no}`;
  const per = l.billing === "one-time" ? "" : ` ${l.billing}`;
  const discount = l.discount_pct ? `, ${sheet.use(src, "discount_pct", l.discount_pct)}% discount` : "";
  return `${sheet.use(src, "quantity", l.quantity)} × ${sheet.use(src, "description", l.description)} at ${sheet.use(src, "unit_price", l.unit_price)}${per} each${discount} = ${sheet.use(src, "line_total", l.line_total)}${per}`;
}

/** Subtotal, tax (stated as excluded from the line prices and added on top) and total, per billing bucket. */
function quoteTotals(q: QuoteFacts, sheet: FactSheet): string[] {
  const rate = sheet.use(q.id, "tax_rate_pct", q.tax_rate_pct);
  const lines: string[] = [];
  for (const b of q.buckets) {
    const per = b.key === "monthly" ? " per month" : b.key === "annual" ? " per year" : "";
    lines.push(
      `${b.label}: subtotal ${sheet.use(q.id, `${b.key}.subtotal`, b.subtotal)}${per}, tax ${sheet.use(q.id, `${b.key}.tax`, b.tax)} (${rate}%, not included in the prices above), total ${sheet.use(q.id, `${b.key}.total`, b.total)}${per}`,
    );
  }
  lines.push(
    `First invoice${q.buckets.length > 1 ? " (one-time charges plus the first recurring period)" : ""}: ${sheet.use(q.id, "first_invoice_total", q.first_invoice_total)} including tax`,
  );
  return lines;
}

function noteMissingQuoteFacts(q: QuoteFacts, sheet: FactSheet): void {
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
      summary: `Deal ${d.id} for ${tenant}: ${mrr ? `estimated ${mrr}/month recurring and ${nrc} one-time` : "no live quote, so no estimate"}${d.expected_close ? `, expected to close ${sheet.use(d.id, "expected_close", d.expected_close)}` : ""}.${d.notes ? ` Notes: ${sheet.use(d.id, "notes", d.notes)}` : ""}`,
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
    summary: `A proposed service change for ${tenant}${mrr ? `, estimated at ${mrr} per month before tax${d.est_nrc !== formatZero(d.est_nrc) ? ` plus ${nrc} one-time` : ""}` : ""}.`,
    key_points: latest ? [`Latest proposal ${latest.number}: ${latest.status}`] : ["No proposal has been issued yet."],
    next_steps: ["We will walk you through the proposal at your convenience."],
  };
}

// Client messages (drafts only)

export interface Draft {
  subject: string;
  body: string;
  /** "Name <email>" of the addressed contact, or null when the appliance holds no contact to address. */
  to: string | null;
  contact_id: string | null;
}

export type Tone = "formal" | "friendly";

/** The addressee of a draft: one of the record's tenant contacts, or nobody (then the greeting has no name). */
export type Addressee = ContactFacts | null;

function greeting(to: Addressee, tone: Tone, sheet: FactSheet): string {
  const word = tone === "formal" ? "Dear" : "Hi";
  if (!to) return tone === "formal" ? "Dear Sir or Madam," : "Hello,";
  sheet.use(to.id, "name", to.name);
  return `${word} ${sheet.use(to.id, "greeting_name", greetingName(to.name))},`;
}

function addressLine(to: Addressee, sheet: FactSheet): string | null {
  if (!to) return null;
  return `${to.name} <${sheet.use(to.id, "email", to.email)}>`;
}

function signOff(sender: string, tone: Tone): string {
  return `${tone === "formal" ? "Kind regards" : "Thanks"},\n${sender}\nHarbor IT Services`;
}

export function draftQuoteCoverNote(q: QuoteFacts, sender: string, tone: Tone, to: Addressee, sheet: FactSheet): Draft {
  const number = sheet.use(q.id, "number", q.number);
  const version = sheet.use(q.id, "version", q.version);
  const title = sheet.use(q.id, "title", q.title);
  const lines = q.lines.map((l) => `  • ${quoteLine(q, l, sheet)}`);
  const totals = quoteTotals(q, sheet).map((t) => `  ${t}`);
  noteMissingQuoteFacts(q, sheet);
  const body = [
    greeting(to, tone, sheet),
    "",
    tone === "formal"
      ? `Please find our proposal ${number} (version ${version}) for ${title}.`
      : `As promised, here is our proposal ${number} (v${version}) for ${title}.`,
    "",
    "What's included:",
    ...lines,
    "",
    ...totals,
    "",
    `The proposal is valid until ${sheet.use(q.id, "valid_until", q.valid_until)}. To go ahead, simply reply to this email${tone === "formal" ? " confirming your acceptance" : " and we'll take it from there"}; we will schedule the work at a time that suits you.`,
    "",
    signOff(sender, tone),
  ].join("\n");
  return {
    subject: `${number} — ${title} for ${sheet.use(q.tenant_id, "name", q.tenant_name)}`,
    body,
    to: addressLine(to, sheet),
    contact_id: to?.id ?? null,
  };
}

export function draftFindingExplainer(
  f: FindingDetail,
  sender: string,
  tone: Tone,
  to: Addressee,
  sheet: FactSheet,
): Draft {
  const s = summariseFinding(f, "client_executive", sheet);
  const tenant = sheet.use(f.tenant_id, "name", f.tenant_name);
  const body = [
    greeting(to, tone, sheet),
    "",
    tone === "formal"
      ? `During our regular security review of ${tenant}'s systems we identified the following item.`
      : `Quick heads-up from our latest security review of ${tenant}.`,
    "",
    `What we found: ${s.headline}`,
    `How much it affects: ${findingScale(f, sheet)}`,
    `Why it matters: ${explainForExecutive(f).why} This is ${RISK_WORDS[f.severity] ?? "a security risk"}.`,
    "",
    "What we recommend:",
    ...s.next_steps.map((n) => `  • ${n}`),
    "",
    f.status === "Resolved"
      ? "No action is needed from you; this is for your records."
      : "Could you let us know a convenient time for the change? We will keep disruption to a minimum.",
    "",
    signOff(sender, tone),
  ].join("\n");
  return {
    subject: `Security review for ${tenant}: ${s.headline.replace(/\.$/, "")}`,
    body,
    to: addressLine(to, sheet),
    contact_id: to?.id ?? null,
  };
}

// QBR outline

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
        `Biggest improvement: ${best.category} (${sheet.use(tid, `secure_score.${best.category}.start_percent`, best.start_percent)}% -> ${sheet.use(tid, `secure_score.${best.category}.end_percent`, best.end_percent)}%)`,
      );
    if (worst && worst !== best)
      postureBullets.push(
        `Weakest movement: ${worst.category} (${sheet.use(tid, `secure_score.${worst.category}.start_percent`, worst.start_percent)}% -> ${sheet.use(tid, `secure_score.${worst.category}.end_percent`, worst.end_percent)}%)`,
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
          `${sheet.use(d.id, "name", d.name)} — ${sheet.use(d.id, "stage", d.stage)}, ${d.has_live_quote ? `~${sheet.use(d.id, "est_mrr", d.est_mrr)}/month before tax` : "no live quote yet"}${d.quotes[0] ? ` (${sheet.use(d.quotes[0].id, "number", d.quotes[0].number)} ${sheet.use(d.quotes[0].id, "status", d.quotes[0].status)})` : ""}`,
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
      `Security findings resolved in the period: ${resolved}, median ${sheet.use(tid, "median_days_to_resolve", median(f.resolution_days))} days from detection to fix`,
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
