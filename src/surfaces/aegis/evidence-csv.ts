/**
 * The evidence pack's CSV writer (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180#section-2): a header row, one
 * record per finding, CRLF between records. Writing only; nothing here parses CSV.
 */

export const CSV_RECORD_SEPARATOR = "\r\n";

export const EVIDENCE_CSV_COLUMNS = [
  "finding_id",
  "uid",
  "class",
  "severity",
  "status",
  "compliance_status",
  "framework",
  "control_ref",
  "title",
  "resources",
  "first_seen",
  "last_seen",
  "resolved_at",
  "suppressed_until",
  "assignee",
  "resolution_note",
] as const;

/**
 * One field: quoted when it holds a comma, a double quote or a line break (RFC 4180 §2.6, §2.7), and prefixed with
 * a quote when it starts like a spreadsheet formula, so opening the export never evaluates finding text
 * (https://owasp.org/www-community/attacks/CSV_Injection); a neutralised field is always quoted.
 */
export function csvCell(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRecord(values: readonly (string | number | null)[]): string {
  return values.map(csvCell).join(",");
}
