import type { FindingDetailWire as FindingDetail } from "../aegis/wire";
import type { ContactFacts, QuoteFacts } from "./entities";
import { type FactSheet, greetingName } from "./facts";
import { noteMissingQuoteFacts, quoteLine, quoteTotals } from "./compose";
import { RISK_WORDS, explainForExecutive, findingScale, summariseFinding } from "./finding-summary";

/** Client messages, drafts only: a human reviews and sends them. */

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
    `The proposal is valid until ${sheet.use(q.id, "valid_until", q.valid_until)}. To go ahead, ` +
      `simply reply to this ` +
      `email${tone === "formal" ? " confirming your acceptance" : " and we'll take it from there"}; we ` +
      `will schedule the work at a time that suits you.`,
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
