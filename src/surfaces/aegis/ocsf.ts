/**
 * OCSF 1.x enumerations used by aegis (https://github.com/ocsf/ocsf-schema: dictionary.json, events/findings/*.json).
 * Stored as ids; shown to callers as id + caption.
 */

/** severity_id (base event attribute). */
export const SEVERITY_CAPTIONS = {
  0: "Unknown",
  1: "Informational",
  2: "Low",
  3: "Medium",
  4: "High",
  5: "Critical",
  6: "Fatal",
} as const;
export type SeverityName = "Informational" | "Low" | "Medium" | "High" | "Critical" | "Fatal";
export const SEVERITY_NAMES: readonly SeverityName[] = ["Informational", "Low", "Medium", "High", "Critical", "Fatal"];
export const SEVERITY_IDS: Record<SeverityName, number> = {
  Informational: 1,
  Low: 2,
  Medium: 3,
  High: 4,
  Critical: 5,
  Fatal: 6,
};

/** Finding status_id (Finding base class). Archived (5) and Deleted (6) are not used by aegis. */
export const STATUS_CAPTIONS = { 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved" } as const;
export type StatusName = "New" | "In Progress" | "Suppressed" | "Resolved";
export const STATUS_NAMES: readonly StatusName[] = ["New", "In Progress", "Suppressed", "Resolved"];
export const STATUS_IDS: Record<StatusName, number> = { New: 1, "In Progress": 2, Suppressed: 3, Resolved: 4 };
export const STATUS = { NEW: 1, IN_PROGRESS: 2, SUPPRESSED: 3, RESOLVED: 4 } as const;

/** class_uid of the three Finding classes aegis stores. */
export type FindingClassName = "compliance" | "vulnerability" | "detection";
export const CLASS_UIDS: Record<FindingClassName, number> = { vulnerability: 2002, compliance: 2003, detection: 2004 };
export const CLASS_CAPTIONS: Record<number, string> = {
  2002: "Vulnerability Finding",
  2003: "Compliance Finding",
  2004: "Detection Finding",
};
export const CLASS_KEYS: Record<number, FindingClassName> = {
  2002: "vulnerability",
  2003: "compliance",
  2004: "detection",
};

/** compliance.status_id for Compliance Findings. */
export const COMPLIANCE_CAPTIONS: Record<number, string> = { 1: "Pass", 2: "Warning", 3: "Fail" };

export function severityCaption(id: number): string {
  return SEVERITY_CAPTIONS[id as keyof typeof SEVERITY_CAPTIONS] ?? "Other";
}

export function statusCaption(id: number): StatusName {
  return (STATUS_CAPTIONS[id as keyof typeof STATUS_CAPTIONS] ?? "New") as StatusName;
}

export const FRAMEWORKS = ["cis_m365_v5", "cis_v8", "ms_secure_score", "cis_win2022"] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export const FRAMEWORK_NAMES: Record<Framework, string> = {
  cis_m365_v5: "CIS Microsoft 365 Foundations Benchmark v5",
  cis_v8: "CIS Critical Security Controls v8.1",
  ms_secure_score: "Microsoft Secure Score",
  cis_win2022: "CIS Microsoft Windows Server 2022 Benchmark",
};

export const CATEGORIES = ["Identity", "Device", "Data", "Apps", "Infrastructure"] as const;
export type Category = (typeof CATEGORIES)[number];

/** The longest a suppression may last (risk acceptance must be revisited at least twice a year). */
export const MAX_SUPPRESSION_DAYS = 180;
export const DAY_MS = 86_400_000;
