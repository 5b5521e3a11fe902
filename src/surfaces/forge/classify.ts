import { INCIDENT_RULES, NOT_AN_INCIDENT, type IncidentRule, type IncidentType } from "./triage-incidents";
import {
  GENERAL_SIGNALS,
  IMPACT_SIGNALS,
  MATRIX,
  RULES,
  URGENCY_SIGNALS,
  type Level,
  type Priority,
  type RequestCategory,
} from "./triage-rules";

/**
 * Deterministic triage of a free-text request: category by weighted keyword rules, priority by the ITIL
 * impact x urgency matrix (P1 = high impact and high urgency ... P4 = low/low). No model is involved, so the
 * same text always gives the same answer and every decision is explained by the signals that matched.
 */

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
