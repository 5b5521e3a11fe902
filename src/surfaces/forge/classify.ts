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

interface Rule {
  category: Exclude<RequestCategory, "general">;
  label: string;
  /** [pattern, weight]; patterns are matched on lower-cased text with word boundaries. */
  signals: [RegExp, number][];
  suggestedTool: string;
  toolHint: string;
  knowledgeQuery: string;
}

const w = (s: string) => new RegExp(`\\b(?:${s})\\b`, "i");

const RULES: Rule[] = [
  {
    category: "security_incident",
    label: "Security incident",
    signals: [
      [w("ransomware|encrypted (?:files|my files)|files (?:are )?encrypted|ransom note"), 5],
      [w("phish(?:ing)?|clicked (?:a|the|on a|on the) link|entered my password|fake login"), 4],
      [w("hacked|compromised|breach|intrusion|malware|virus|trojan"), 4],
      [
        w(
          "inbox rule|forwarding rule|forwarding to|impossible travel|strange sign[- ]?in|unknown sign[- ]?in|mfa (?:fatigue|prompts? i didn'?t)",
        ),
        4,
      ],
      [w("suspicious|spoof(?:ed|ing)?|scam|fraud(?:ulent)? invoice"), 2],
      // A lost or stolen device with company data is a potential breach first and a hardware problem second.
      [
        w(
          "(?:stolen|lost|missing) (?:laptop|phone|device|tablet|ipad|usb)|(?:laptop|phone|device|tablet) (?:was |has been |got )?(?:stolen|lost)",
        ),
        6,
      ],
    ],
    suggestedTool: "aegis_list_findings",
    toolHint:
      "Check open Detection findings for the tenant (class detection, status New), then follow the matching runbook.",
    knowledgeQuery: "respond suspicious inbox rule incident",
  },
  {
    category: "security_posture",
    label: "Security posture / compliance",
    signals: [
      [w("secure score|posture|cis (?:benchmark|controls?)|benchmark|compliance|complian(?:t|ce) report"), 4],
      [w("audit(?:or)?|evidence|hipaa|gdpr|cyber essentials|soc ?2|iso ?27001|insurance questionnaire"), 3],
      [w("findings?|vulnerabilit(?:y|ies)|risk assessment|pen ?test"), 3],
    ],
    suggestedTool: "aegis_get_posture_summary",
    toolHint: "Summarise the tenant's posture; for auditors use aegis_export_evidence.",
    knowledgeQuery: "cis baseline hardening",
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
      [w("permission|access to|shared drive|sharepoint site|grant access"), 2],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search for the identity how-to (e.g. Authenticator setup) and check the user's sign-in state.",
    knowledgeQuery: "authenticator mfa setup sign-in",
  },
  {
    category: "onboarding",
    label: "New user onboarding",
    signals: [
      [
        w(
          "new (?:starter|hire|employee|user|joiner)|onboard(?:ing)?|starting (?:on )?(?:monday|tuesday|wednesday|thursday|friday|next week)|set up (?:a )?new (?:user|account)",
        ),
        5,
      ],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Find the onboarding runbook; if the client needs another seat, price it with cavalier_price_quote.",
    knowledgeQuery: "onboarding new user",
  },
  {
    category: "offboarding",
    label: "Leaver offboarding",
    signals: [
      [
        w(
          "leaver|leaving|offboard(?:ing)?|last day|terminat(?:e|ed|ion)|let go|disable (?:the |their )?account|remove (?:all )?access",
        ),
        5,
      ],
    ],
    suggestedTool: "forge_get_runbook",
    toolHint: "Open runbook rb_user_offboarding and work through it.",
    knowledgeQuery: "user offboarding leaver",
  },
  {
    category: "email",
    label: "Email",
    signals: [
      [w("e-?mail|outlook|mailbox|shared mailbox|calendar|distribution list"), 3],
      [w("spam|junk|bounce(?:d|s)?|ndr|dmarc|spf|dkim|not receiving"), 3],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search the knowledge base for the mail-flow or mailbox topic.",
    knowledgeQuery: "email mailbox dmarc",
  },
  {
    category: "hardware",
    label: "Hardware",
    signals: [
      [w("laptop|desktop|pc|monitor|screen|keyboard|mouse|dock(?:ing station)?|headset|webcam"), 3],
      [w("printer|printing|scanner|toner|label printer|kiosk|handheld"), 3],
      [w("broken|cracked|won'?t (?:turn|power) on|dead battery|blue screen|bsod"), 2],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Look for device-specific notes; if replacement hardware is needed, price it with cavalier_price_quote.",
    knowledgeQuery: "device hardware",
  },
  {
    category: "network",
    label: "Network and connectivity",
    signals: [
      [w("wi-?fi|wireless|internet|network|vpn|firewall|switch|router|dns|connectivity"), 3],
      [w("no connection|offline|disconnect(?:s|ed|ing)?|slow connection|latency|packet loss"), 3],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search the site notes for the client's network layout.",
    knowledgeQuery: "network site notes firewall",
  },
  {
    category: "software",
    label: "Software and applications",
    signals: [
      [w("install|uninstall|application|software|app|program|update|upgrade windows"), 2],
      [w("teams|excel|word|onedrive|ehr|practice management|wms|adobe|chrome"), 2],
      [w("crash(?:es|ing)?|error message|not responding|freez(?:e|es|ing)"), 2],
    ],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Search for the application's known issues and vendor escalation contacts.",
    knowledgeQuery: "application vendor escalation",
  },
  {
    category: "backup_restore",
    label: "Backup and restore",
    signals: [[w("restore|recover|deleted (?:a |the )?(?:file|folder|email)s?|backup|previous version|roll ?back"), 4]],
    suggestedTool: "forge_search_knowledge",
    toolHint: "Find the restore runbook for the system involved.",
    knowledgeQuery: "backup restore",
  },
  {
    category: "sales_quote",
    label: "Sales / quote request",
    signals: [
      [w("quote|quotation|pricing|price|proposal|estimate|how much"), 4],
      [
        w(
          "seats?|licen[cs]es?|add (?:\\d+|a|an|one|two|three|more) (?:users?|seats?|licen[cs]es?)|buy|purchase|upgrade (?:to|our)|operations pro|operations essentials",
        ),
        3,
      ],
    ],
    suggestedTool: "cavalier_price_quote",
    toolHint:
      "Price the lines as a dry run with cavalier_price_quote, then cavalier_create_quote (needs confirmation).",
    knowledgeQuery: "quote approval policy discount",
  },
  {
    category: "billing",
    label: "Billing",
    signals: [[w("invoice|bill(?:ed|ing)?|charged?|refund|payment|credit note|overcharged"), 4]],
    suggestedTool: "cavalier_list_quotes",
    toolHint: "Check the accepted quotes and subscriptions behind the invoice line.",
    knowledgeQuery: "billing invoice",
  },
];

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
      "down|outage|not working|stopped working|can'?t work|cannot work|unable to work|urgent(?:ly)?|asap|emergency|immediately|right now|court deadline|patients? (?:waiting|affected)|ransomware|breach|clicked|hacked|compromised|encrypted",
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
  priority: Priority;
  impact: Level;
  urgency: Level;
  suggested_tool: string;
  suggested_next_step: string;
  knowledge_query: string;
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

export function classifyRequest(text: string): Classification {
  const normalised = text.replace(/[’‘]/g, "'").toLowerCase();
  const scored = RULES.map((rule) => {
    let score = 0;
    const matched: string[] = [];
    for (const [re, weight] of rule.signals) {
      const m = re.exec(normalised);
      if (m) {
        score += weight;
        matched.push(m[0]);
      }
    }
    return { rule, score, matched };
  })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || RULES.indexOf(a.rule) - RULES.indexOf(b.rule));

  const top = scored[0];
  const second = scored[1];
  const impact = firstLevel(IMPACT_SIGNALS, normalised, "low");
  let urgency = firstLevel(URGENCY_SIGNALS, normalised, "low");
  // A live security incident is never low urgency: attackers act within hours.
  if (top?.rule.category === "security_incident" && urgency.level !== "high")
    urgency = { level: "high", match: urgency.match ?? "security incident" };
  let priority = MATRIX[impact.level][urgency.level];
  const ransomware = /\bransomware\b|\bencrypted\b/.test(normalised);
  if (ransomware) priority = "P1";
  // One compromised account is a foothold for the whole tenant (BEC, lateral phishing): never below P2.
  else if (top?.rule.category === "security_incident" && (priority === "P3" || priority === "P4")) priority = "P2";
  // Sales and billing requests are work, not incidents: cap them at P3.
  if (
    (top?.rule.category === "sales_quote" || top?.rule.category === "billing") &&
    (priority === "P1" || priority === "P2")
  )
    priority = "P3";

  const confidence = top ? Math.round((top.score / (top.score + (second?.score ?? 0) + 2)) * 100) / 100 : 0.2;
  const category: RequestCategory = top ? top.rule.category : "general";
  const label = top ? top.rule.label : "General request";
  const reasons = [
    top ? `category ${category} from "${top.matched.join('", "')}"` : "no category keywords matched",
    `impact ${impact.level}${impact.match ? ` ("${impact.match}")` : " (single user assumed)"}`,
    `urgency ${urgency.level}${urgency.match ? ` ("${urgency.match}")` : " (no time pressure stated)"}`,
    ransomware
      ? "ransomware indicators force P1"
      : top?.rule.category === "security_incident"
        ? "security incidents are at least P2"
        : null,
  ].filter(Boolean);
  return {
    category,
    category_label: label,
    priority,
    impact: impact.level,
    urgency: urgency.level,
    suggested_tool: top?.rule.suggestedTool ?? "forge_search_knowledge",
    suggested_next_step:
      top?.rule.toolHint ??
      "Ask the requester for the affected user, device and business impact, then search the knowledge base.",
    knowledge_query: top?.rule.knowledgeQuery ?? text.slice(0, 80),
    confidence,
    matched_signals: top?.matched ?? [],
    alternatives: scored.slice(1, 4).map((s) => ({ category: s.rule.category, score: s.score })),
    explanation: `${priority} (ITIL impact x urgency): ${reasons.join("; ")}.`,
  };
}
