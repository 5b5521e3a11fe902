import type { FindingDetailWire as FindingDetail } from "../aegis/wire";
import type { FactSheet } from "./facts";
import { firstSentence, plainWords, type Audience, type Summary } from "./compose";

/** Summaries of a security finding: the technician reads ids and remediation, an executive the business risk. */

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

export const RISK_WORDS: Record<string, string> = {
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

export function explainForExecutive(f: FindingDetail): { what: string; why: string } {
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
      summary:
        `${f.class_name} ${f.id} ` +
        `(${sheet.use(f.tenant_id, "name", f.tenant_name)})${control ? `, control ${control}` : ""}. ` +
        `${sheet.use(f.id, "description", f.description)} Scale: ${scale}. Recorded resources: ` +
        `${resources.join(", ") || "none"}.${f.assignee ? ` Assigned to ${sheet.use(f.id, "assignee", f.assignee)}.` : " Unassigned."}` +
        `${last ? ` Last activity ${last.at.slice(0, 10)}: ${last.action}${last.comment ? ` — ${last.comment}` : ""}.` : ""}`,
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
