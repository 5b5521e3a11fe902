import { sql, type SQL } from "drizzle-orm";
import { aegisFindings } from "../../store/schema/aegis";
import { STATUS } from "./ocsf";

/**
 * A suppression lapses on its own: from `suppressed_until` on, the finding reads as New again (Secure Score's
 * "Ignored" state likewise needs periodic review). Computed at read time so no job has to run.
 */
export function effectiveStatusId(row: { statusId: number; suppressedUntil: number | null }, now: number): number {
  if (row.statusId === STATUS.SUPPRESSED && row.suppressedUntil !== null && row.suppressedUntil <= now)
    return STATUS.NEW;
  return row.statusId;
}

/** effectiveStatusId as a SQL expression over aegis_findings, for filters and counts. */
export function effectiveStatusSql(now: number): SQL<number> {
  const f = aegisFindings;
  return sql<number>`(CASE
    WHEN ${f.statusId} = ${STATUS.SUPPRESSED} AND ${f.suppressedUntil} IS NOT NULL AND ${f.suppressedUntil} <= ${now}
    THEN ${STATUS.NEW} ELSE ${f.statusId} END)`;
}
