/** The category rules and the ITIL impact and urgency signals the triage (classify.ts) weighs. */

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

export const w = (s: string) => new RegExp(`\\b(?:${s})\\b`, "i");

interface Rule {
  category: Exclude<RequestCategory, "general" | "security_incident">;
  label: string;
  /** [pattern, weight]; patterns are matched on lower-cased text with word boundaries. */
  signals: [RegExp, number][];
  suggestedTool: string;
  toolHint: string;
  topics: string[];
}

export const RULES: Rule[] = [
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
          "new " +
            "(?:starter|hire|employee|user|joiner|associate|nurses?|paralegals?|staff)|onboard(?:ing)?|starting " +
            "(?:on )?(?:monday|tuesday|wednesday|thursday|friday|next week)|set up (?:a )?new " +
            "(?:user|account)|hiring|starts (?:tomorrow|on|next)",
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
          "leaver|leaving|offboard(?:ing)?|last day|terminat(?:e|ed|ion)|let go|employment ends|disable " +
            "(?:the |their |his |her )?account|remove (?:all )?(?:of )?(?:his |her |their )?access",
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
          "restore|recover(?:ed|y)?|deleted (?:a |the |an )?(?:\\w+ " +
            "){0,2}(?:file|folder|email|thread)s?|backups?|previous version|older version|roll " +
            "?back|overwrote",
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
          "seats?|licen[cs]es?|add (?:\\d+|a|an|one|two|three|more) " +
            "(?:users?|seats?|licen[cs]es?)|buy|purchase|upgrade (?:to|our)|upgrading|operations " +
            "pro|operations essentials",
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
export const GENERAL_SIGNALS = w("thanks for|thank you for|much appreciated|rota|opening hours|account manager");

export const IMPACT_SIGNALS: [Level, RegExp][] = [
  [
    "high",
    w(
      "everyone|every(?:body| user)|all (?:users|staff|sites|clinics|offices|of us)|whole " +
        "(?:office|company|firm|clinic|site|warehouse)|nobody can|no one " +
        "can|entire|company-?wide|site-?wide|all three (?:sites|clinics)",
    ),
  ],
  [
    "medium",
    w(
      "several|multiple|a few (?:users|people)|team|department|front " +
        "desk|reception|partners|(?:\\d+|two|three|four|five) (?:users|people|staff|pcs|laptops|devices)",
    ),
  ],
];

export const URGENCY_SIGNALS: [Level, RegExp][] = [
  [
    "high",
    w(
      "down|outage|not working|stopped working|can'?t work|cannot work|unable to " +
        "work|urgent(?:ly)?|asap|emergency|immediately|right now|court deadline|patients? " +
        "(?:waiting|affected)|locked out|can'?t (?:sign|log) ?in|cannot (?:sign|log) ?in|waiting to be " +
        "loaded|can'?t book|is stuck",
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
export const MATRIX: Record<Level, Record<Level, Priority>> = {
  high: { high: "P1", medium: "P2", low: "P3" },
  medium: { high: "P2", medium: "P3", low: "P4" },
  low: { high: "P3", medium: "P4", low: "P4" },
};
