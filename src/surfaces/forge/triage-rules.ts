import rulesFile from "./triage-rules.yaml";

/**
 * The category rules and the ITIL impact and urgency signals the triage (classify.ts) weighs. The rules themselves
 * are data, in triage-rules.yaml, so they read as a table and can be tuned without touching the code.
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

/** The rules as written in triage-rules.yaml (bundled into the binary at build time). */
interface RulesFile {
  categories: {
    category: Rule["category"];
    label: string;
    signals: [number, string][];
    suggested_tool: string;
    tool_hint: string;
    topics: string[];
  }[];
  general: string;
  impact: [Level, string][];
  urgency: [Level, string][];
}
const file = rulesFile as RulesFile;

export const RULES: Rule[] = file.categories.map((c) => ({
  category: c.category,
  label: c.label,
  signals: c.signals.map(([weight, pattern]) => [w(pattern), weight]),
  suggestedTool: c.suggested_tool,
  toolHint: c.tool_hint,
  topics: c.topics,
}));

/** Requests with no problem in them: thanks, rotas, opening hours, who-is questions. */
export const GENERAL_SIGNALS = w(file.general);

export const IMPACT_SIGNALS: [Level, RegExp][] = file.impact.map(([level, pattern]) => [level, w(pattern)]);

export const URGENCY_SIGNALS: [Level, RegExp][] = file.urgency.map(([level, pattern]) => [level, w(pattern)]);

/** ITIL priority matrix: rows impact, columns urgency. */
export const MATRIX: Record<Level, Record<Level, Priority>> = {
  high: { high: "P1", medium: "P2", low: "P3" },
  medium: { high: "P2", medium: "P3", low: "P4" },
  low: { high: "P3", medium: "P4", low: "P4" },
};
