import { unstorableTextReason } from "../shared/text";
import { type CsvRecord, type CsvTable, columnNumber } from "./csv";
import type { ImportProblem } from "./report";

/**
 * Reads the fields of one CSV record and collects problems with their line and column. Empty cells and absent
 * optional columns read as undefined, so a kind applies its documented default in one place.
 */
export class RecordReader {
  constructor(
    private readonly table: CsvTable,
    readonly record: CsvRecord,
    private readonly problems: ImportProblem[],
  ) {}

  get line(): number {
    return this.record.line;
  }

  /** The trimmed value, or undefined when the column is absent or the cell empty. */
  optional(column: string): string | undefined {
    const v = this.record.values.get(column)?.trim();
    return v === undefined || v === "" ? undefined : v;
  }

  required(column: string, expected: string): string | undefined {
    const v = this.optional(column);
    if (v === undefined) this.problem(column, `is empty; expected ${expected}`);
    return v;
  }

  /** One of `allowed`, compared case-insensitively. */
  oneOf<T extends string>(column: string, allowed: readonly T[], fallback?: T): T | undefined {
    const v = fallback === undefined ? this.required(column, `one of ${allowed.join(", ")}`) : this.optional(column);
    if (v === undefined) return fallback;
    const found = allowed.find((a) => a === v.toLowerCase());
    if (!found) this.problem(column, `"${v}" is not one of ${allowed.join(", ")}`);
    return found;
  }

  /** `true` or `false`, any case (Excel writes TRUE/FALSE). */
  boolean(column: string, fallback: boolean): boolean {
    const v = this.optional(column);
    if (v === undefined) return fallback;
    const lower = v.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    this.problem(column, `"${v}" is not true or false`);
    return fallback;
  }

  /** A problem at this record's line and the column's number. */
  problem(column: string, message: string): void {
    const at = columnNumber(this.table, column);
    this.problems.push({
      line: this.record.line,
      ...(at !== undefined ? { column: at } : {}),
      field: column,
      message,
    });
  }
}

/** Longest text a single field may hold (a product description or contact name is far shorter). */
export const MAX_FIELD_CHARS = 10_000;

/** Refuses text the store would change (src/shared/text.ts: NUL, lone surrogates), as every other write path does. */
export function storable(reader: RecordReader, column: string, value: string | undefined, max = MAX_FIELD_CHARS) {
  if (value === undefined) return value;
  if (value.length > max) reader.problem(column, `is ${value.length} characters long; at most ${max} are kept`);
  else {
    const reason = unstorableTextReason(value);
    if (reason) reader.problem(column, reason);
  }
  return value;
}
