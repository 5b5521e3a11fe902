/**
 * Deterministic triage of a free-text request: category by weighted keyword rules, priority by the ITIL
 * impact x urgency matrix (P1 = high impact and high urgency ... P4 = low/low). No model is involved, so the
 * same text always gives the same answer and every decision is explained by the signals that matched.
 */

export const REQUEST_CATEGORIES = [
  "security_incident",
  "security_posture",
  "access_identity",
  "onboarding",
  "offboarding",
  "email",
  "hardware",
  "network",
  "software",
  "backup_restore",
  "sales_quote",
  "billing",
  "general",
] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];
export type Priority = "P1" | "P2" | "P3" | "P4";
export type Level = "high" | "medium" | "low";

const w = (s: string) => new RegExp(`\\b(?:${s})\\b`, "i");

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

interface IncidentRule {
  type: IncidentType;
  label: string;
  indicators: RegExp[];
  suggestedTools: string[];
  nextStep: string;
  /** Knowledge-base topics a related document must carry (see relatedDocuments). */
  topics: string[];
}

const FINDINGS_TOOLS = ["aegis_list_findings", "aegis_get_finding", "aegis_acknowledge_finding"];

const INCIDENT_RULES: IncidentRule[] = [
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
      "Isolate the affected machines from the network now (do not power them off), then check the tenant's open Detection findings with aegis_list_findings and record ownership with aegis_acknowledge_finding.",
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
        "(?:changed|switched) (?:banks|bank accounts?|bank details)|(?<!your )new (?:bank accounts?|bank details|remittance details|account details|sort code|iban)",
      ),
      w(
        "(?:update|change) (?:their|the supplier'?s|the vendor'?s|our supplier'?s) (?:remittance|bank|payment) details",
      ),
      w("(?:update|change) (?:their|its) (?:remittance|bank|payment)"),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Hold the payment and confirm the change by phone on a number already on file (never one from the email); check the mailbox for forwarding rules and sign-in alerts with aegis_list_findings.",
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
      "Tell the requester not to buy or send any codes; confirm with the named person in person or by a known number, then check their account for compromise with aegis_list_findings.",
    topics: ["bec", "incident-response"],
  },
  {
    type: "ceo_impersonation",
    label: "Executive impersonation (business email compromise)",
    indicators: [
      w(
        "impersonat(?:e|es|ed|ing|ion)|pretending to be|posing as|looks like it'?s from|personal (?:gmail|hotmail|yahoo|email)|lookalike domain|look-?alike domain|spoofed",
      ),
      w(
        "(?:urgent(?:ly)?|immediately|today|asap)\\b[^.!?]{0,30}\\b(?:wire|bank transfer)|wire (?:transfer|[$£€]\\s?\\d)",
      ),
    ],
    suggestedTools: FINDINGS_TOOLS,
    nextStep:
      "Do not act on the request; verify with the executive by phone, block the sender or look-alike domain, and check the tenant's sign-in alerts with aegis_list_findings.",
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
      "Reset the user's password, revoke their sessions and review their MFA methods; then check for new inbox rules and risky sign-ins with aegis_list_findings.",
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
      "Revoke the account's sessions and reset its password, deny further prompts, then open the matching Detection finding with aegis_list_findings and aegis_get_finding.",
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
        "left (?:my|his|her|a|the|our) (?:work |company )?(?:laptop|phone|iphone|mobile|tablet|ipad) (?:in|on|at) (?:a|the) (?:taxi|cab|train|bus|plane|uber|restaurant|bar|airport|pub)",
      ),
    ],
    suggestedTools: ["aegis_list_findings", "aegis_get_finding"],
    nextStep:
      "Remote-wipe or lock the device from Intune and revoke its sessions; check with aegis_list_findings whether it had an open disk-encryption finding (an unencrypted device with personal data is a reportable breach).",
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
      "Ask the recipient to delete it and confirm in writing, try a message recall, and record the incident: the data protection lead decides within 72 hours whether it is reportable (GDPR Art. 33).",
    topics: ["data-breach"],
  },
];

/** Context in which security words describe a plan, a lesson or a purchase, not an attack under way. */
const NOT_AN_INCIDENT = w(
  "simulations?|simulated|awareness|training|handbook|policy|questionnaire|how (?:do|should|can) (?:staff|we|users|people) report",
);

interface Rule {
  category: Exclude<RequestCategory, "general" | "security_incident">;
  label: string;
  /** [pattern, weight]; patterns are matched on lower-cased text with word boundaries. */
  signals: [RegExp, number][];
  suggestedTool: string;
  toolHint: string;
  topics: string[];
}

const RULES: Rule[] = [
  {
    category: "security_posture",
    label: "Security posture / compliance",
    signals: [
      [w("secure score|posture|cis (?:benchmark|controls?)|benchmark|compliance|complian(?:t|ce) report"), 4],
      // A compliance document asked for outranks the topics it asks about (backups, EDR).
      [w("audit(?:or)?|evidence|hipaa|gdpr|cyber essentials|soc ?2|iso ?27001|insurance questionnaire|insurer"), 5],
      [w("findings?|vulnerabilit(?:y|ies)|risk assessment|pen ?test"), 3],
      [w("phishing simulations?|simulated phishing|(?:security )?awareness (?:training|programme|program)"), 4],
      // A lesson about an attack (how to report phishing) is awareness work, not an incident.
      [w("phish(?:ing)?|suspicious e-?mails?"), 2],
    ],
    suggestedTool: "aegis_get_posture_summary",
    toolHint: "Summarise the tenant's posture; for auditors use aegis_export_evidence.",
    topics: ["cis", "compliance", "hardening"],
  },
  {
    category: "access_identity",
    label: "Access and identity",
    signals: [
      [w("password|passcode|reset"), 3],
      [
        w(
          "locked out|lockout|can'?t (?:sign|log) ?in|cannot (?:sign|log) ?in|unable to (?:sign|log) ?in|login|sign[- ]in",
        ),
        3,
      ],
      [w("mfa|multi-?factor|authenticator|2fa|two-factor|new phone"), 3],
      [w("permission|access to|shared drive|sharepoint site|grant (?:\\w+ )?(?:edit |read )?access"), 2],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search for the identity how-to (e.g. Authenticator setup) and check the user's sign-in state.",
    topics: ["mfa", "authenticator", "identity"],
  },
  {
    category: "onboarding",
    label: "New user onboarding",
    signals: [
      [
        w(
          "new (?:starter|hire|employee|user|joiner|associate|nurses?|paralegals?|staff)|onboard(?:ing)?|starting (?:on )?(?:monday|tuesday|wednesday|thursday|friday|next week)|set up (?:a )?new (?:user|account)|hiring|starts (?:tomorrow|on|next)",
        ),
        5,
      ],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Find the onboarding runbook; if the client needs another seat, price it with cavalier_price_quote.",
    topics: ["new-user", "starter"],
  },
  {
    category: "offboarding",
    label: "Leaver offboarding",
    signals: [
      [
        w(
          "leaver|leaving|offboard(?:ing)?|last day|terminat(?:e|ed|ion)|let go|employment ends|disable (?:the |their |his |her )?account|remove (?:all )?(?:of )?(?:his |her |their )?access",
        ),
        5,
      ],
    ],
    suggestedTool: "forge_get_runbook",
    toolHint: "Open runbook rb_user_offboarding and work through it.",
    topics: ["offboarding", "leaver"],
  },
  {
    category: "email",
    label: "Email",
    signals: [
      [w("e-?mails?|outlook|mailbox|shared mailbox|calendar|distribution list|newsletter"), 3],
      [w("spam|junk|bounce(?:d|s)?|bouncing|ndr|dmarc|spf|dkim|not receiving|received any"), 3],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search the knowledge base for the mail-flow or mailbox topic.",
    topics: ["dmarc", "email", "mailbox"],
  },
  {
    category: "hardware",
    label: "Hardware",
    signals: [
      [w("laptop|desktop|pc|monitor|screen|keyboard|mouse|dock(?:ing station)?|headset|webcam|charger"), 3],
      [w("printer|printing|print|scanner|toner|label printer|kiosk|handheld|receipts?"), 3],
      [w("broken|cracked|won'?t (?:turn|power) on|dead battery|blue screen|bsod"), 2],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Look for device-specific notes; if replacement hardware is needed, price it with cavalier_price_quote.",
    topics: ["printer", "hardware"],
  },
  {
    category: "network",
    label: "Network and connectivity",
    signals: [
      [w("wi-?fi|wireless|internet|network|vpn|firewall|switch|router|dns|connectivity|connection|port"), 3],
      [w("no connection|offline|disconnect(?:s|ed|ing)?|keeps? dropping|slow connection|latency|packet loss"), 3],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search the site notes for the client's network layout.",
    topics: ["network", "firewall", "vpn"],
  },
  {
    category: "software",
    label: "Software and applications",
    signals: [
      [w("install(?:ed|ing)?|uninstall|application|software|app|program|system|update|upgrade windows"), 2],
      [w("teams|excel|word|onedrive|ehr|practice management|wms|adobe|acrobat|visio|chrome|accounting"), 2],
      [w("crash(?:es|ing)?|error message|not responding|freez(?:e|es|ing)|won'?t open"), 2],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search for the application's known issues and vendor escalation contacts.",
    topics: ["application", "software"],
  },
  {
    category: "backup_restore",
    label: "Backup and restore",
    signals: [
      [
        w(
          "restore|recover(?:ed|y)?|deleted (?:a |the |an )?(?:\\w+ ){0,2}(?:file|folder|email|thread)s?|backups?|previous version|older version|roll ?back|overwrote",
        ),
        4,
      ],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Find the restore runbook for the system involved.",
    topics: ["backup", "restore"],
  },
  {
    category: "sales_quote",
    label: "Sales / quote request",
    // Buying intent outweighs the topic being bought (pricing for backup is a sale, not a restore).
    signals: [
      [w("quote|quotation|pricing|price|proposal|estimate|how much"), 5],
      [
        w(
          "seats?|licen[cs]es?|add (?:\\d+|a|an|one|two|three|more) (?:users?|seats?|licen[cs]es?)|buy|purchase|upgrade (?:to|our)|upgrading|operations pro|operations essentials",
        ),
        3,
      ],
    ],
    suggestedTool: "cavalier_price_quote",
    toolHint:
      "Price the lines as a dry run with cavalier_price_quote, then cavalier_create_quote (needs confirmation).",
    topics: ["quote", "pricing"],
  },
  {
    category: "billing",
    label: "Billing",
    signals: [
      [w("invoice|bill(?:ed|ing)?|charged?|charges|refund|payment|credit note|overcharged|direct debit"), 4],
      [w("bank details"), 2],
    ],
    suggestedTool: "cavalier_list_quotes",
    toolHint: "Check the accepted quotes and subscriptions behind the invoice line.",
    topics: ["billing", "invoice"],
  },
];

/** Requests with no problem in them: thanks, rotas, opening hours, who-is questions. */
const GENERAL_SIGNALS = w("thanks for|thank you for|much appreciated|rota|opening hours|account manager");

const IMPACT_SIGNALS: [Level, RegExp][] = [
  [
    "high",
    w(
      "everyone|every(?:body| user)|all (?:users|staff|sites|clinics|offices|of us)|whole (?:office|company|firm|clinic|site|warehouse)|nobody can|no one can|entire|company-?wide|site-?wide|all three (?:sites|clinics)",
    ),
  ],
  [
    "medium",
    w(
      "several|multiple|a few (?:users|people)|team|department|front desk|reception|partners|(?:\\d+|two|three|four|five) (?:users|people|staff|pcs|laptops|devices)",
    ),
  ],
];

const URGENCY_SIGNALS: [Level, RegExp][] = [
  [
    "high",
    w(
      "down|outage|not working|stopped working|can'?t work|cannot work|unable to work|urgent(?:ly)?|asap|emergency|immediately|right now|court deadline|patients? (?:waiting|affected)|locked out|can'?t (?:sign|log) ?in|cannot (?:sign|log) ?in|waiting to be loaded|can'?t book|is stuck",
    ),
  ],
  [
    "medium",
    w("today|this morning|this afternoon|slow|intermittent(?:ly)?|keeps? (?:crashing|dropping)|error|soon|by tomorrow"),
  ],
  [
    "low",
    w(
      "when you (?:can|get a chance)|no rush|next week|next month|question|how do i|wondering|request|plan(?:ning)?|quote",
    ),
  ],
];

/** ITIL priority matrix: rows impact, columns urgency. */
const MATRIX: Record<Level, Record<Level, Priority>> = {
  high: { high: "P1", medium: "P2", low: "P3" },
  medium: { high: "P2", medium: "P3", low: "P4" },
  low: { high: "P3", medium: "P4", low: "P4" },
};

export interface Classification {
  category: RequestCategory;
  category_label: string;
  /** Which kind of security incident, when category is security_incident; null otherwise. */
  incident_type: IncidentType | null;
  priority: Priority;
  impact: Level;
  urgency: Level;
  /** The first of suggested_tools. */
  suggested_tool: string;
  suggested_tools: string[];
  suggested_next_step: string;
  /** Knowledge-base topics a document must carry to count as related (see relatedDocuments). */
  knowledge_topics: string[];
  confidence: number;
  matched_signals: string[];
  alternatives: { category: RequestCategory; score: number }[];
  explanation: string;
}

function firstLevel(signals: [Level, RegExp][], text: string, fallback: Level): { level: Level; match: string | null } {
  for (const [level, re] of signals) {
    const m = re.exec(text);
    if (m) return { level, match: m[0] };
  }
  return { level: fallback, match: null };
}

function detectIncident(text: string): { rule: IncidentRule; matched: string[] } | null {
  for (const rule of INCIDENT_RULES) {
    const matched = rule.indicators.map((re) => re.exec(text)?.[0]).filter((m): m is string => m !== undefined);
    if (matched.length > 0) return { rule, matched };
  }
  return null;
}

function scoreRules(text: string) {
  return RULES.map((rule) => {
    let score = 0;
    const matched: string[] = [];
    for (const [re, weight] of rule.signals) {
      const m = re.exec(text);
      if (m) {
        score += weight;
        matched.push(m[0]);
      }
    }
    return { rule, score, matched };
  })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || RULES.indexOf(a.rule) - RULES.indexOf(b.rule));
}

/** Weight of the "nothing is wrong" signals (thanks, rota, opening hours): beats a single topic word. */
const GENERAL_WEIGHT = 4;

export function classifyRequest(text: string): Classification {
  const normalised = text.replace(/[’‘]/g, "'").toLowerCase();
  const impact = firstLevel(IMPACT_SIGNALS, normalised, "low");
  let urgency = firstLevel(URGENCY_SIGNALS, normalised, "low");
  const scored = scoreRules(normalised);
  const incident = detectIncident(normalised);
  // Indicators describe an attack under way; in a plan, lesson or purchase ("phishing simulation") they do not.
  const isIncident = incident !== null && !(NOT_AN_INCIDENT.test(normalised) && incident.matched.length < 2);

  if (isIncident) {
    const { rule, matched } = incident;
    // Attackers act within hours, so an incident is never low urgency; one compromised account or device is a
    // foothold for the whole tenant, so never below P2. Ransomware spreads by itself: always P1.
    urgency = { level: "high", match: urgency.level === "high" ? urgency.match : "security incident" };
    const priority: Priority = rule.type === "ransomware" || impact.level === "high" ? "P1" : "P2";
    return {
      category: "security_incident",
      category_label: `Security incident: ${rule.label}`,
      incident_type: rule.type,
      priority,
      impact: impact.level,
      urgency: urgency.level,
      suggested_tool: rule.suggestedTools[0]!,
      suggested_tools: rule.suggestedTools,
      suggested_next_step: rule.nextStep,
      knowledge_topics: rule.topics,
      confidence: Math.min(0.95, 0.7 + 0.1 * matched.length),
      matched_signals: matched,
      alternatives: scored.slice(0, 3).map((s) => ({ category: s.rule.category, score: s.score })),
      explanation: `${priority}: security incident (${rule.type}) from "${matched.join('", "')}"; ${
        rule.type === "ransomware"
          ? "ransomware is always P1"
          : impact.level === "high"
            ? `impact high ("${impact.match}") makes it P1`
            : "security incidents are at least P2"
      }.`,
    };
  }

  const general = GENERAL_SIGNALS.exec(normalised);
  const top = scored[0] && !(general && scored[0].score <= GENERAL_WEIGHT) ? scored[0] : undefined;
  const second = top ? scored[1] : scored[0];
  let priority = MATRIX[impact.level][urgency.level];
  // Sales and billing requests are work, not incidents: cap them at P3.
  if (
    (top?.rule.category === "sales_quote" || top?.rule.category === "billing") &&
    (priority === "P1" || priority === "P2")
  )
    priority = "P3";

  const confidence = top ? Math.round((top.score / (top.score + (second?.score ?? 0) + 2)) * 100) / 100 : 0.2;
  const category: RequestCategory = top ? top.rule.category : "general";
  const reasons = [
    top
      ? `category ${category} from "${top.matched.join('", "')}"`
      : general
        ? `general request ("${general[0]}")`
        : "no category keywords matched",
    `impact ${impact.level}${impact.match ? ` ("${impact.match}")` : " (single user assumed)"}`,
    `urgency ${urgency.level}${urgency.match ? ` ("${urgency.match}")` : " (no time pressure stated)"}`,
  ];
  const tool = top?.rule.suggestedTool ?? "forge_search_knowledge";
  return {
    category,
    category_label: top ? top.rule.label : "General request",
    incident_type: null,
    priority,
    impact: impact.level,
    urgency: urgency.level,
    suggested_tool: tool,
    suggested_tools: [tool],
    suggested_next_step:
      top?.rule.toolHint ??
      "Ask the requester for the affected user, device and business impact, then search the knowledge base.",
    knowledge_topics: top?.rule.topics ?? [],
    confidence,
    matched_signals: top?.matched ?? (general ? [general[0]] : []),
    alternatives: scored
      .filter((s) => s !== top)
      .slice(0, 3)
      .map((s) => ({ category: s.rule.category, score: s.score })),
    explanation: `${priority} (ITIL impact x urgency): ${reasons.join("; ")}.`,
  };
}

/**
 * A document is related to a request when its title or tags carry at least RELATED_MIN_RELEVANCE of the
 * request's knowledge topics. Title and tags are what an author states a document is about; a word in the
 * body is not (a BitLocker runbook that mentions a printer is not about printers). The candidate documents
 * come from the full-text search; this rule only decides which of them to show.
 */
export const RELATED_MIN_RELEVANCE = 0.5;

export interface RelatedCandidate {
  id: string;
  kind: string;
  title: string;
  tags: string[];
}

export function documentRelevance(doc: Pick<RelatedCandidate, "title" | "tags">, topics: readonly string[]): number {
  if (topics.length === 0) return 0;
  const terms = new Set<string>();
  for (const tag of doc.tags) {
    const t = tag.toLowerCase();
    terms.add(t);
    for (const part of t.split("-")) terms.add(part);
  }
  for (const word of doc.title.toLowerCase().split(/[^a-z0-9]+/)) if (word) terms.add(word);
  const hits = topics.filter((t) => terms.has(t)).length;
  return Math.round((hits / topics.length) * 100) / 100;
}

export function relatedDocuments<D extends RelatedCandidate>(
  candidates: readonly D[],
  topics: readonly string[],
  max = 3,
): (D & { relevance: number })[] {
  return candidates
    .map((d, order) => ({ d, order, relevance: documentRelevance(d, topics) }))
    .filter((c) => c.relevance >= RELATED_MIN_RELEVANCE)
    .sort((a, b) => b.relevance - a.relevance || a.order - b.order)
    .slice(0, max)
    .map((c) => ({ ...c.d, relevance: c.relevance }));
}
