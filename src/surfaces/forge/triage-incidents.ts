import { w } from "./triage-rules";

/**
 * Kinds of security incident a service desk must treat as incidents, not as the everyday category their words
 * suggest ("pay this invoice to our new account" is fraud, not billing). Each is detected by indicator
 * patterns that describe the attack, not by single words, so "phishing simulation" or "bank holiday rota" do
 * not trip them. Sources for the kinds: FBI IC3 business email compromise PSA (I-091019-PSA), NCSC phishing
 * guidance (https://www.ncsc.gov.uk/guidance/phishing), CISA #StopRansomware guide, and ICO personal data
 * breach guidance (misdirected email is the most reported breach type).
 */
export const INCIDENT_TYPES = [
  "ransomware",
  "payment_fraud",
  "gift_card_fraud",
  "ceo_impersonation",
  "credential_phishing",
  "account_compromise",
  "lost_device",
  "misdirected_data",
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export interface IncidentRule {
  type: IncidentType;
  label: string;
  indicators: RegExp[];
  suggestedTools: string[];
  nextStep: string;
  /** Knowledge-base topics a related document must carry (see relatedDocuments). */
  topics: string[];
}

const FINDINGS_TOOLS = ["aegis_list_findings", "aegis_get_finding", "aegis_acknowledge_finding"];

export const INCIDENT_RULES: IncidentRule[] = [
  {
    type: "ransomware",
    label: "Ransomware",
    indicators: [
      w("ransom(?:ware| note| demand)?|lockbit|akira|blackcat|conti|bitcoin"),
      w("files? (?:are|were|have been|got) encrypted|encrypted (?:all |our |my |the )?files"),
      w("(?:file )?extensions? (?:have |has |were )?changed|files? (?:have been |were )?renamed to"),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Isolate the affected machines from the network now (do not power them off), then check the " +
      "tenant's open Detection findings with aegis_list_findings and record ownership with " +
      "aegis_acknowledge_finding.",
    topics: ["ransomware"],
  },
  {
    type: "payment_fraud",
    label: "Payment-change fraud (business email compromise)",
    indicators: [
      w(
        "(?:pay|send|transfer|wire|remit)\\b[^.!?]{0,60}\\b(?:to|into) (?:our|their|a|the|this|his|her) new (?:bank )?account",
      ),
      w(
        // The MSP's own details ("send us your new bank details") are not a diversion of someone's payment.
        "(?:changed|switched) (?:banks|bank accounts?|bank details)|(?<!your )new (?:bank accounts?|bank " +
          "details|remittance details|account details|sort code|iban)",
      ),
      w(
        "(?:update|change) (?:their|the supplier'?s|the vendor'?s|our supplier'?s) (?:remittance|bank|payment) details",
      ),
      w("(?:update|change) (?:their|its) (?:remittance|bank|payment)"),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Hold the payment and confirm the change by phone on a number already on file (never one from " +
      "the email); check the mailbox for forwarding rules and sign-in alerts with aegis_list_findings.",
    topics: ["bec", "incident-response"],
  },
  {
    type: "gift_card_fraud",
    label: "Gift-card fraud",
    indicators: [
      w("(?:buy|purchase|get|pick up|order)\\b[^.!?]{0,40}\\bgift ?cards?"),
      w("gift ?card codes?|codes? (?:from|on|off) (?:the )?gift ?cards?|scratch(?:ed)? off"),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Tell the requester not to buy or send any codes; confirm with the named person in person or by " +
      "a known number, then check their account for compromise with aegis_list_findings.",
    topics: ["bec", "incident-response"],
  },
  {
    type: "ceo_impersonation",
    label: "Executive impersonation (business email compromise)",
    indicators: [
      w(
        "impersonat(?:e|es|ed|ing|ion)|pretending to be|posing as|looks like it'?s from|personal " +
          "(?:gmail|hotmail|yahoo|email)|lookalike domain|look-?alike domain|spoofed",
      ),
      w(
        "(?:urgent(?:ly)?|immediately|today|asap)\\b[^.!?]{0,30}\\b(?:wire|bank transfer)|wire (?:transfer|[$£€]\\s?\\d)",
      ),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Do not act on the request; verify with the executive by phone, block the sender or look-alike " +
      "domain, and check the tenant's sign-in alerts with aegis_list_findings.",
    topics: ["bec", "incident-response"],
  },
  {
    type: "credential_phishing",
    label: "Credential phishing",
    indicators: [
      w("(?:entered|typed|put in|gave|submitted)\\b[^.!?]{0,40}\\b(?:password|credentials|username|login details)"),
      w("fell for|fake (?:login|sign[- ]?in) page|verify my (?:mailbox|account|password)"),
      w(
        "clicked (?:on )?(?:a|the|this|that) (?:link|attachment)\\b[^.!?]{0,60}\\b(?:phish|password|sign[- ]?in|login|suspicious)",
      ),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Reset the user's password, revoke their sessions and review their MFA methods; then check for " +
      "new inbox rules and risky sign-ins with aegis_list_findings.",
    topics: ["phishing", "incident-response"],
  },
  {
    type: "account_compromise",
    label: "Suspicious sign-in or MFA fatigue",
    indicators: [
      w(
        "impossible travel|mfa fatigue|push (?:bombing|spam)|(?:risky|unusual|strange|unknown|suspicious) sign[- ]?ins?",
      ),
      w(
        "(?:prompts?|requests?|notifications?|codes?)\\b[^.!?]{0,60}\\b(?:i didn'?t|i did not|i never|never asked|not me|didn'?t (?:start|request|ask))",
      ),
      w("approved (?:one|it|a prompt|the prompt|an? mfa)\\b[^.!?]{0,20}\\bby mistake"),
      w("inbox rule|forwarding rule|(?:hacked|compromised|taken over)"),
      w("(?:e-?mails?|messages?) from my account (?:that )?i (?:never|didn'?t|did not) sen[dt]"),
      w("sign[- ]?ins? (?:to|on|for|from)\\b[^.!?]{0,40}\\bfrom\\b|alert\\b[^.!?]{0,40}\\bsign[- ]?ins?"),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Revoke the account's sessions and reset its password, deny further prompts, then open the " +
      "matching Detection finding with aegis_list_findings and aegis_get_finding.",
    topics: ["incident-response", "inbox-rule"],
  },
  {
    type: "lost_device",
    label: "Lost or stolen device",
    indicators: [
      w(
        "(?:lost|stolen|missing|misplaced)\\b[^.!?]{0,40}\\b(?:laptop|phone|iphone|mobile|tablet|ipad|device|usb|memory stick)",
      ),
      w(
        "(?:laptop|phone|iphone|mobile|tablet|ipad|device|usb stick) (?:was |has been |got |is )?(?:stolen|lost|missing)",
      ),
      w(
        "left (?:my|his|her|a|the|our) (?:work |company )?(?:laptop|phone|iphone|mobile|tablet|ipad) " +
          "(?:in|on|at) (?:a|the) (?:taxi|cab|train|bus|plane|uber|restaurant|bar|airport|pub)",
      ),
    ],
    suggestedTools: ["aegis_list_findings", "aegis_get_finding"],
    nextStep:
      "Remote-wipe or lock the device from Intune and revoke its sessions; check with " +
      "aegis_list_findings whether it had an open disk-encryption finding (an unencrypted device with " +
      "personal data is a reportable breach).",
    topics: ["bitlocker", "encryption"],
  },
  {
    type: "misdirected_data",
    label: "Data sent to the wrong person",
    indicators: [
      w("(?:sent|emailed|e-mailed|forwarded|shared|mailed)\\b[^.!?]{0,80}\\bto the wrong\\b"),
      w("wrong (?:recipient|email address)"),
    ],
    suggestedTools: ["aegis_list_findings"],
    nextStep:
      "Ask the recipient to delete it and confirm in writing, try a message recall, and record the " +
      "incident: the data protection lead decides within 72 hours whether it is reportable (GDPR Art. " +
      "33).",
    topics: ["data-breach"],
  },
];

/** Context in which security words describe a plan, a lesson or a purchase, not an attack under way. */
export const NOT_AN_INCIDENT = w(
  "simulations?|simulated|awareness|training|handbook|policy|questionnaire|how (?:do|should|can) (?:staff|we|users|people) report",
);
