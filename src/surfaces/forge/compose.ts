import type { FindingDetail } from "../aegis/service";
import type { DealFacts, QbrFacts, QuoteFacts } from "./entities";
import type { DocumentView } from "./service";

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

export function summariseFinding(f: FindingDetail, audience: Audience): Summary {
  const resources = f.resources.map((r) => r.name);
  const control = f.control ? `${f.control.framework_name} ${f.control.control_ref}` : null;
  if (audience === "technician") {
    const last = f.history[0];
    return {
      headline: `[${f.severity} / ${f.status}] ${f.title}`,
      summary: `${f.class_name} ${f.id} (${f.tenant_name})${control ? `, control ${control}` : ""}. ${f.description} Affects ${resources.length} resource(s): ${resources.join(", ") || "none recorded"}.${f.assignee ? ` Assigned to ${f.assignee}.` : " Unassigned."}${last ? ` Last activity ${last.at.slice(0, 10)}: ${last.action}${last.comment ? ` — ${last.comment}` : ""}.` : ""}`,
      key_points: [
        `Severity ${f.severity} (OCSF ${f.severity_id}), status ${f.status} (OCSF ${f.status_id}), risk score ${f.risk_score}/100`,
        `First seen ${f.first_seen.slice(0, 10)}, last seen ${f.last_seen.slice(0, 10)}`,
        ...(f.suppression && f.status === "Suppressed"
          ? [
              `Suppressed (${f.suppression.reason}) until ${f.suppression.until?.slice(0, 10)}: ${f.suppression.justification}`,
            ]
          : []),
        ...(f.suppression?.expired ? ["Suppression has lapsed: the finding counts as New again"] : []),
        ...(f.resolution?.note ? [`Resolution: ${f.resolution.note}`] : []),
      ],
      next_steps:
        f.status === "Resolved"
          ? [
              "Nothing to do unless the next scan reopens it; attach evidence to the quarter's evidence pack (aegis_export_evidence).",
            ]
          : [
              ...remediationSteps(f.remediation),
              "When done, call aegis_resolve_finding with the evidence (change id, screenshot or report).",
            ],
    };
  }
  const risk = RISK_WORDS[f.severity] ?? "a security risk";
  const { what, why } = explainForExecutive(f);
  const state =
    f.status === "Resolved"
      ? "This has been fixed."
      : f.status === "In Progress"
        ? "Our team is already working on it."
        : f.status === "Suppressed"
          ? `You accepted this risk until ${f.suppression?.until?.slice(0, 10) ?? "a review date"}.`
          : "We have not started on it yet and recommend scheduling it.";
  return {
    headline: what,
    summary: `${what} ${why} This is ${risk}. ${state}`,
    key_points: [
      `What it affects: ${f.resources.length === 1 ? "1 system or account" : `${f.resources.length} systems or accounts`}`,
      `Why it matters: ${why}`,
      ...(control ? [`Industry standard: ${control}`] : []),
    ],
    next_steps:
      f.status === "Resolved"
        ? ["No action needed from you."]
        : f.status === "Suppressed"
          ? ["We will ask you to review this decision before it lapses."]
          : [
              "Approve the fix (typical effort: a short change window, minimal disruption to staff).",
              "Tell staff to expect the change if it affects how they sign in.",
            ],
  };
}

export function summariseDocument(d: DocumentView, audience: Audience): Summary {
  const steps = d.steps ?? [];
  return {
    headline: d.title,
    summary:
      audience === "technician"
        ? `${d.kind === "runbook" ? "Runbook" : "Article"} ${d.id} v${d.version}. ${d.summary}`
        : plainWords(d.summary),
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

export function summariseQuote(q: QuoteFacts, audience: Audience): Summary {
  const lines = q.lines.map(
    (l) =>
      `${l.quantity} x ${l.description} at ${l.unit_price} ${l.billing}${l.discount_pct ? ` (${l.discount_pct}% off)` : ""}`,
  );
  if (audience === "technician") {
    return {
      headline: `${q.number} v${q.version} (${q.status}) — ${q.title}`,
      summary: `Quote for ${q.tenant_name} in ${q.currency}, valid until ${q.valid_until}. Monthly recurring ${q.monthly_recurring}, one-time ${q.one_time_total}, tax ${q.tax} (${q.tax_rate_pct}%), first invoice ${q.first_invoice_total}.`,
      key_points: lines,
      next_steps:
        q.status === "draft"
          ? [
              "Review the lines, then send it to the client contact; draft a cover note with forge_draft_client_message.",
            ]
          : q.status === "sent"
            ? ["Follow up with the client before it expires; record the decision with cavalier_record_quote_decision."]
            : ["No action: the quote is closed."],
    };
  }
  return {
    headline: `${q.title}: ${q.monthly_recurring} per month${q.one_time_total !== formatZero(q.one_time_total) ? ` plus ${q.one_time_total} one-time` : ""}`,
    summary: `This proposal for ${q.tenant_name} covers ${lines.length} item(s). It is valid until ${q.valid_until}. Your first invoice would be ${q.first_invoice_total} including ${q.tax} tax.`,
    key_points: lines,
    next_steps:
      q.status === "draft" || q.status === "sent"
        ? ["Reply to accept, or ask us to adjust quantities or terms."]
        : ["No decision needed."],
  };
}

function formatZero(sample: string): string {
  return sample.replace(/\d/g, "0");
}

export function summariseDeal(d: DealFacts, audience: Audience): Summary {
  const quotes = d.quotes.map((q) => `${q.number} v${q.version}: ${q.status}`);
  if (audience === "technician") {
    return {
      headline: `${d.name} (${d.stage}, ${d.probability_pct}%)`,
      summary: `Deal ${d.id} for ${d.tenant_name}: estimated ${d.est_mrr}/month recurring and ${d.est_nrc} one-time${d.expected_close ? `, expected to close ${d.expected_close}` : ""}.${d.notes ? ` Notes: ${d.notes}` : ""}`,
      key_points: quotes.length ? quotes : ["No quotes yet"],
      next_steps: d.stage.startsWith("closed")
        ? ["No action: the deal is closed."]
        : [
            "Move the deal forward with the client, keep the live quote current, and update the stage with cavalier_update_deal_stage.",
          ],
    };
  }
  return {
    headline: d.name,
    summary: `A proposed service change for ${d.tenant_name}, worth about ${d.est_mrr} per month${d.est_nrc !== formatZero(d.est_nrc) ? ` plus ${d.est_nrc} one-time` : ""}.`,
    key_points: quotes.length ? [`Proposal status: ${d.quotes[0]!.status}`] : ["A proposal will follow."],
    next_steps: ["We will walk you through the proposal at your convenience."],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Client messages (drafts only)

export interface Draft {
  subject: string;
  body: string;
  to: string | null;
  placeholders: string[];
}

export type Tone = "formal" | "friendly";

function greeting(name: string | null, tone: Tone): string {
  const first = name ? name.split(/\s+/)[0] : null;
  if (tone === "formal") return name ? `Dear ${name},` : "Dear [CLIENT CONTACT],";
  return first ? `Hi ${first},` : "Hi [CLIENT CONTACT],";
}

function signOff(sender: string, tone: Tone): string {
  return `${tone === "formal" ? "Kind regards" : "Thanks"},\n${sender}\nHarbor IT Services`;
}

export function draftQuoteCoverNote(q: QuoteFacts, sender: string, tone: Tone, contactName: string | null): Draft {
  const name = contactName ?? q.contact?.name ?? null;
  const lines = q.lines
    .map(
      (l) =>
        `  • ${l.quantity} x ${l.description} — ${l.unit_price} ${l.billing}${l.discount_pct ? ` (${l.discount_pct}% discount)` : ""}`,
    )
    .join("\n");
  const oneTime = q.one_time_total !== formatZero(q.one_time_total) ? `\n  One-time: ${q.one_time_total}` : "";
  const body = [
    greeting(name, tone),
    "",
    tone === "formal"
      ? `Please find our proposal ${q.number} (version ${q.version}) for ${q.title}.`
      : `As promised, here is our proposal ${q.number} (v${q.version}) for ${q.title}.`,
    "",
    "What's included:",
    lines,
    "",
    `  Monthly: ${q.monthly_recurring}${oneTime}`,
    `  Tax: ${q.tax}${q.tax_rate_pct ? ` (${q.tax_rate_pct}%)` : ""}`,
    `  First invoice: ${q.first_invoice_total}`,
    "",
    `The proposal is valid until ${q.valid_until}. To go ahead, simply reply to this email${tone === "formal" ? " confirming your acceptance" : " and we'll take it from there"}; we will schedule the work at a time that suits you.`,
    "",
    signOff(sender, tone),
  ].join("\n");
  return {
    subject: `${q.number} — ${q.title} for ${q.tenant_name}`,
    body,
    to: q.contact ? `${q.contact.name} <${q.contact.email}>` : null,
    placeholders: name ? [] : ["[CLIENT CONTACT]"],
  };
}

export function draftFindingExplainer(f: FindingDetail, sender: string, tone: Tone, contactName: string | null): Draft {
  const s = summariseFinding(f, "client_executive");
  const body = [
    greeting(contactName, tone),
    "",
    tone === "formal"
      ? `During our regular security review of ${f.tenant_name}'s systems we identified the following item.`
      : `Quick heads-up from our latest security review of ${f.tenant_name}.`,
    "",
    `What we found: ${s.headline}`,
    `Why it matters: ${s.summary.slice(s.headline.length).trim()}`,
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
    subject: `Security review for ${f.tenant_name}: ${s.headline.replace(/\.$/, "")}`,
    body,
    to: null,
    placeholders: contactName ? [] : ["[CLIENT CONTACT]"],
  };
}

// ---------------------------------------------------------------------------------------------------------
// QBR outline

export interface QbrSection {
  heading: string;
  bullets: string[];
}

export function buildQbrOutline(f: QbrFacts): { title: string; sections: QbrSection[]; talking_points: string[] } {
  const period = `${new Date(f.from).toISOString().slice(0, 10)} to ${new Date(f.to).toISOString().slice(0, 10)}`;
  const sections: QbrSection[] = [];
  const talking: string[] = [];
  const t = f.trend;
  const p = f.posture;
  const postureBullets: string[] = [];
  if (t && t.start_percent !== null && t.end_percent !== null) {
    const delta = Math.round((t.end_percent - t.start_percent) * 10) / 10;
    postureBullets.push(
      `Secure Score ${t.start_percent}% -> ${t.end_percent}% (${delta >= 0 ? "+" : ""}${delta} percentage points) over the period`,
    );
    if (t.min_percent !== null && t.min_percent < Math.min(t.start_percent, t.end_percent) - 3)
      postureBullets.push(`Lowest point ${t.min_percent}%: explain the dip and what changed`);
    const moves = [...t.by_category_change].sort(
      (a, b) => b.end_percent - b.start_percent - (a.end_percent - a.start_percent),
    );
    const best = moves[0];
    const worst = moves[moves.length - 1];
    if (best)
      postureBullets.push(`Biggest improvement: ${best.category} (${best.start_percent}% -> ${best.end_percent}%)`);
    if (worst && worst !== best)
      postureBullets.push(`Weakest movement: ${worst.category} (${worst.start_percent}% -> ${worst.end_percent}%)`);
    talking.push(
      delta >= 5
        ? `Celebrate the ${delta}-point improvement and credit the client's staff for adopting the changes.`
        : delta <= -3
          ? "Own the score drop: explain the cause and the recovery plan."
          : "Posture is stable: the next gains come from the top improvement actions.",
    );
  } else {
    postureBullets.push("No posture history for this period: connect Secure Score / CIS scanning");
  }
  sections.push({ heading: "1. Security posture trend", bullets: postureBullets });
  sections.push({
    heading: "2. Findings handled",
    bullets: [
      `${f.findings_opened} new finding(s) detected, ${f.findings_resolved} resolved in the period`,
      ...(p ? p.open_findings_by_severity.map((s) => `${s.count} open ${s.severity}`) : []),
    ],
  });
  if (p?.top_improvement_actions.length) {
    sections.push({
      heading: "3. Recommended next improvements",
      bullets: p.top_improvement_actions
        .slice(0, 5)
        .map(
          (a) =>
            `${a.title} (+${a.points_available} pts, ${a.implementation_cost} effort, ${a.user_impact} user impact)`,
        ),
    });
    talking.push(`Ask for approval of "${p.top_improvement_actions[0]!.title}" — the largest single gain available.`);
  }
  sections.push({
    heading: `${sections.length + 1}. Roadmap and open proposals`,
    bullets: f.open_deals.length
      ? f.open_deals.map(
          (d) =>
            `${d.name} — ${d.stage}, ~${d.est_mrr}/month${d.quotes[0] ? ` (${d.quotes[0].number} ${d.quotes[0].status})` : ""}`,
        )
      : ["No open proposals: discuss upcoming hires, renewals and projects"],
  });
  if (f.open_deals.length) talking.push(`Agree a decision date for "${f.open_deals[0]!.name}".`);
  sections.push({
    heading: `${sections.length + 1}. Service review`,
    bullets: [
      "Ticket volumes and response times (from the PSA)",
      "Staff changes and onboarding/offboarding accuracy",
      "Feedback and satisfaction",
    ],
  });
  sections.push({
    heading: `${sections.length + 1}. Agreed actions and owners`,
    bullets: ["[Record decisions during the meeting]"],
  });
  return { title: `${f.tenant_name} quarterly business review (${period})`, sections, talking_points: talking };
}
