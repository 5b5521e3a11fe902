import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseCsvTable } from "../../../src/import/csv";
import { decodeImportBytes } from "../../../src/import/decode";
import { csvRecord } from "../../../src/surfaces/aegis/evidence-csv";

const SPEC = { columns: ["a", "b", "c"], required: ["a"] } as const;

function table(text: string) {
  const out = parseCsvTable(text, SPEC);
  if (!out.ok) throw new Error(JSON.stringify(out.problems));
  return out.table;
}
const rows = (text: string) => table(text).records.map((r) => [r.line, ...[...r.values.values()]]);

describe("decodeImportBytes", () => {
  const utf16le = (s: string) => new Uint8Array([0xff, 0xfe, ...Buffer.from(s, "utf16le")]);
  const utf16be = (s: string) => {
    const le = Buffer.from(s, "utf16le");
    const be = new Uint8Array(le.length);
    for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
    return new Uint8Array([0xfe, 0xff, ...be]);
  };

  test("a UTF-8 BOM, a UTF-16LE BOM and a UTF-16BE BOM each decode, BOM dropped", () => {
    const text = "a,b\r\nCafé €,1\r\n";
    expect(decodeImportBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(text)]), undefined)).toEqual({
      ok: true,
      text,
      encoding: "utf-8",
    });
    expect(decodeImportBytes(utf16le(text), undefined)).toMatchObject({ ok: true, text, encoding: "utf-16le" });
    expect(decodeImportBytes(utf16be(text), undefined)).toMatchObject({ ok: true, text, encoding: "utf-16be" });
  });

  test("windows-1252 bytes are refused as UTF-8 with the first bad line, and read with the encoding named", () => {
    const bytes = new Uint8Array([...Buffer.from("a,b\n1,2\n"), 0x43, 0x61, 0x66, 0xe9, 0x2c, 0x80, 0x0a]);
    const refused = decodeImportBytes(bytes, undefined);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.problem.line).toBe(3);
      expect(refused.problem.message).toContain("--encoding windows-1252");
    }
    expect(decodeImportBytes(bytes, "windows-1252")).toMatchObject({ ok: true, text: "a,b\n1,2\nCafé,€\n" });
  });

  test("a BOM wins over the encoding the caller named", () => {
    expect(decodeImportBytes(utf16le("a\n"), "windows-1252")).toMatchObject({ ok: true, text: "a\n" });
  });
});

describe("parseCsvTable", () => {
  test("records carry the line they start on, past quoted line breaks, blank lines and CRLF", () => {
    const text = 'a,b,c\r\n1,"two\r\nlines",3\r\n\r\n4,5,6\r\n"x","y\n\nz",""\n7,8,9';
    expect(rows(text)).toEqual([
      [2, "1", "two\r\nlines", "3"],
      [5, "4", "5", "6"],
      [6, "x", "y\n\nz", ""],
      [9, "7", "8", "9"],
    ]);
  });

  test("quoted commas and doubled quotes are values; all-empty rows (Excel's trailing ,,) are skipped", () => {
    expect(rows('a,b,c\n"x, y","say ""hi""",z\n,,\n')).toEqual([[2, "x, y", 'say "hi"', "z"]]);
  });

  test("the delimiter is ; when the header has more semicolons than commas", () => {
    const t = table("a;b;c\n1,5;2;3\n");
    expect(t.delimiter).toBe(";");
    expect(t.records[0]!.values.get("a")).toBe("1,5");
  });

  test("header names are case-insensitive; unknown, duplicate and missing columns are named", () => {
    expect(table(" A ,B\n1,2\n").header).toEqual(["a", "b"]);
    const bad = parseCsvTable("b,x,y,b\n", SPEC);
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map((p) => p.message)).toEqual([
        'unknown columns "x", "y"; the columns are a, b, c',
        'column "b" appears twice',
        "missing required column a",
      ]);
  });

  test("a record with another field count than the header is named by its line", () => {
    const out = parseCsvTable('a,b\n1,2\n"multi\nline",2,3\n', SPEC);
    expect(out.ok).toBe(false);
    if (!out.ok)
      expect(out.problems[0]!).toMatchObject({ line: 3, message: expect.stringContaining("expected 2 fields") });
  });

  test("an unclosed quote is a problem with its line, not an exception", () => {
    const out = parseCsvTable('a,b\n1,2\n3,"open\n', SPEC);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.problems[0]!.message).toContain("not readable as CSV");
  });

  test("an empty file asks for a header", () => {
    expect(parseCsvTable("\r\n\r\n", SPEC)).toEqual({
      ok: false,
      problems: [{ line: 1, message: "the file is empty; expected a header row" }],
    });
  });

  test("property: any table written by an RFC 4180 writer reads back with each record's starting line", () => {
    const cell = fc
      .string({ unit: fc.constantFrom("a", "Z", " ", ",", '"', "\n", "\r\n", "é", "😀", ";"), maxLength: 8 })
      .filter((s) => !/^[=+\-@\t\r]/.test(s));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 12 }),
        fc.constantFrom("\n", "\r\n"),
        (data, eol) => {
          const records = data.filter((r) => r.some((v) => v.trim() !== ""));
          const lines = ["a,b,c", ...data.map((r) => csvRecord(r))];
          const text = `${lines.join(eol)}${eol}`;
          const got = table(text).records;
          expect(got.map((r) => [...r.values.values()])).toEqual(records.map((r) => [...r]));
          // Expected start line of each kept record: 1 + line breaks before it in the text.
          const starts: number[] = [];
          let offset = lines[0]!.length + eol.length;
          for (const [i, r] of data.entries()) {
            const line = 1 + (text.slice(0, offset).match(/\r\n|\n|\r/g)?.length ?? 0);
            if (r.some((v) => v.trim() !== "")) starts.push(line);
            offset += lines[i + 1]!.length + eol.length;
          }
          expect(got.map((r) => r.line)).toEqual(starts);
        },
      ),
      { seed: 0x1a7b0c, numRuns: 300, interruptAfterTimeLimit: 20_000 },
    );
  });
});
