/**
 * What an import answers, for the CLI, the admin JSON API and the admin Import page alike. Every problem says
 * where (a line and column of a CSV file, a JSON pointer into a JSON document, a path inside a tree) and what was
 * expected, so the person fixing the file never has to guess.
 */

export interface ImportProblem {
  /** 1-based line of the file where the record starts (CSV, JSON lines). */
  line?: number;
  /** 1-based column (CSV field number). */
  column?: number;
  /** The column's header name (CSV) or field name. */
  field?: string;
  /** RFC 6901 JSON pointer into the record or document (JSON kinds). */
  pointer?: string;
  /** Relative path of the file inside a tree or archive (docs kind). */
  path?: string;
  /** What is wrong and what was expected. */
  message: string;
}

export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportReport {
  kind: string;
  /** Tenants the import writes into (ids), in first-seen order. */
  tenantIds: string[];
  /** SHA-256 (hex) of the bytes received, before decoding. */
  fileSha256: string;
  bytes: number;
  /** Records read from the file (CSV data rows, JSON records, documents). */
  records: number;
  dryRun: boolean;
  /** True when the writes were committed (never on a dry run, never with problems). */
  applied: boolean;
  counts: ImportCounts;
  /** Empty when the file is valid. Non-empty means nothing was written. */
  problems: ImportProblem[];
  /** Kind-specific facts worth telling (a control created, a document that vanished from the tree). */
  notes: string[];
  /** The audit row of this import. */
  auditId: string | null;
}

export const ZERO_COUNTS: ImportCounts = { inserted: 0, updated: 0, unchanged: 0 };

/** "line 7, column 3 (email): ..." - the one human rendering, used by the CLI and the admin page. */
export function describeProblem(p: ImportProblem): string {
  const where: string[] = [];
  if (p.path !== undefined) where.push(p.path);
  if (p.line !== undefined) where.push(`line ${p.line}`);
  if (p.column !== undefined) where.push(`column ${p.column}${p.field !== undefined ? ` (${p.field})` : ""}`);
  else if (p.field !== undefined) where.push(p.field);
  if (p.pointer !== undefined) where.push(`at ${p.pointer === "" ? "/" : p.pointer}`);
  return where.length > 0 ? `${where.join(", ")}: ${p.message}` : p.message;
}

/** At most this many problems are reported; the count of the rest is said in one closing problem. */
export const MAX_PROBLEMS = 500;

export function capProblems(problems: ImportProblem[]): ImportProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    { message: `${problems.length - MAX_PROBLEMS} more problems not listed; fix these and import again` },
  ];
}

/** The report as JSON for the admin API (snake_case wire fields; absent locations are omitted). */
export function reportJson(report: ImportReport) {
  return {
    kind: report.kind,
    ok: report.problems.length === 0,
    dry_run: report.dryRun,
    applied: report.applied,
    tenant_ids: report.tenantIds,
    file_sha256: report.fileSha256,
    bytes: report.bytes,
    records: report.records,
    counts: report.counts,
    problems: report.problems.map((p) => ({ ...p, text: describeProblem(p) })),
    notes: report.notes,
    audit_id: report.auditId,
  };
}
