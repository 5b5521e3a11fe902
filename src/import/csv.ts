import { CsvError, parse } from "csv-parse/sync";
import type { ImportProblem } from "./report";

/** One data record of a CSV file: where it starts, and its fields by (normalized) header name. */
export interface CsvRecord {
  /** 1-based line where the record starts (a quoted field may continue over further lines). */
  line: number;
  /** Field values by column name, as written (not trimmed). Columns the header lacks are absent. */
  values: ReadonlyMap<string, string>;
}

export interface CsvTable {
  delimiter: "," | ";";
  /** Normalized header names, in file order. */
  header: string[];
  records: CsvRecord[];
}

export interface CsvSpec {
  /** Every column the kind knows. */
  columns: readonly string[];
  /** Columns that must be present in the header. */
  required: readonly string[];
}

export type CsvOutcome = { ok: true; table: CsvTable } | { ok: false; problems: ImportProblem[] };

/** Header names compare case-insensitively and ignore surrounding spaces ("Unit Price " would still be unknown). */
const normalizeHeader = (name: string) => name.trim().toLowerCase();

/**
 * The delimiter, from the header line: `;` when it has more semicolons than commas (Excel in locales whose decimal
 * separator is a comma writes `;`, https://support.microsoft.com/office/import-or-export-text-txt-or-csv-files-5250ac4c-663c-47ce-937b-339e391393ba),
 * else `,`.
 */
export function detectDelimiter(text: string): "," | ";" {
  const end = text.search(/\r|\n/);
  const header = end === -1 ? text : text.slice(0, end);
  const count = (c: string) => header.split(c).length - 1;
  return count(";") > count(",") ? ";" : ",";
}

/** Byte offsets (UTF-8) where each line starts; csv-parse reports record ends in bytes. */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) starts.push(i + 1);
    else if (b === 0x0d && bytes[i + 1] !== 0x0a) starts.push(i + 1);
  }
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

/**
 * Parses CSV text (already decoded, no BOM) with csv-parse (RFC 4180 quoting: quoted commas, quotes and line breaks
 * inside fields; CRLF or LF records), checks the header against the kind's columns and gives each data record the
 * line it starts on. Blank lines and records whose fields are all empty (Excel's trailing `,,,,` rows) are skipped.
 * Problems: unknown, duplicate or missing columns (all named), a field count differing from the header's, and
 * csv-parse's own errors (an unclosed quote) with their line.
 */
export function parseCsvTable(text: string, spec: CsvSpec): CsvOutcome {
  if (text.trim() === "")
    return { ok: false, problems: [{ line: 1, message: "the file is empty; expected a header row" }] };
  const delimiter = detectDelimiter(text);
  const bytes = new TextEncoder().encode(text);
  let parsed: ParsedRecord[];
  try {
    parsed = parse(text, {
      delimiter,
      // Any of the three line ends, even mixed in one file (a file edited by hand after Excel saved it).
      record_delimiter: ["\r\n", "\n", "\r"],
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      return { ok: false, problems: [{ ...(line ? { line } : {}), message: `not readable as CSV: ${err.message}` }] };
    }
    throw err;
  }
  const starts = lineStarts(bytes);
  const problems: ImportProblem[] = [];
  let previousEnd = 0;
  const located = parsed.map((r) => {
    let start = previousEnd;
    while (bytes[start] === 0x0a || bytes[start] === 0x0d) start++;
    previousEnd = r.info.bytes;
    return { line: lineOf(starts, start), fields: r.record };
  });
  const [head, ...data] = located;
  if (!head) return { ok: false, problems: [{ line: 1, message: "the file is empty; expected a header row" }] };

  const header = head.fields.map(normalizeHeader);
  const known = new Set(spec.columns);
  const unknown = header.filter((h) => !known.has(h));
  if (unknown.length > 0)
    problems.push({
      line: head.line,
      message: `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; the columns are ${spec.columns.join(", ")}`,
    });
  const seen = new Set<string>();
  for (const [i, h] of header.entries()) {
    if (seen.has(h))
      problems.push({ line: head.line, column: i + 1, field: h, message: `column "${h}" appears twice` });
    seen.add(h);
  }
  const missing = spec.required.filter((c) => !seen.has(c));
  if (missing.length > 0)
    problems.push({
      line: head.line,
      message: `missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
    });
  if (problems.length > 0) return { ok: false, problems };

  const records: CsvRecord[] = [];
  for (const row of data) {
    if (row.fields.every((f) => f.trim() === "")) continue;
    if (row.fields.length !== header.length) {
      problems.push({
        line: row.line,
        message: `expected ${header.length} fields as in the header, found ${row.fields.length} (a "${delimiter}" inside a value needs the value in double quotes)`,
      });
      continue;
    }
    records.push({ line: row.line, values: new Map(header.map((h, i) => [h, row.fields[i]!])) });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, table: { delimiter, header, records } };
}

/** The 1-based column number of a header name in a table (for problems). */
export function columnNumber(table: CsvTable, name: string): number | undefined {
  const i = table.header.indexOf(name);
  return i === -1 ? undefined : i + 1;
}
