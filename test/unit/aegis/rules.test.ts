import { describe, expect, test } from "bun:test";
import { STATUS } from "../../../src/surfaces/aegis/ocsf";
import { parseIsoTime } from "../../../src/surfaces/kit/args";
import { countWithinBudget } from "../../../src/surfaces/kit/page";
import { effectiveStatusId } from "../../../src/surfaces/aegis/effective-status";
import { csvCell } from "../../../src/surfaces/aegis/evidence-csv";

describe("suppression lapse (effectiveStatusId)", () => {
  const now = 1_000_000;
  test("a suppression reads as New from its expiry on", () => {
    expect(effectiveStatusId({ statusId: STATUS.SUPPRESSED, suppressedUntil: now + 1 }, now)).toBe(STATUS.SUPPRESSED);
    expect(effectiveStatusId({ statusId: STATUS.SUPPRESSED, suppressedUntil: now }, now)).toBe(STATUS.NEW);
    expect(effectiveStatusId({ statusId: STATUS.RESOLVED, suppressedUntil: now - 5 }, now)).toBe(STATUS.RESOLVED);
  });
});

describe("page budget", () => {
  test("a page stops before its JSON exceeds the budget, but always holds one item", () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ i, pad: "x".repeat(90) }));
    expect(countWithinBudget(items, 350)).toBe(3);
    expect(countWithinBudget([{ pad: "x".repeat(1000) }], 10)).toBe(1);
    expect(countWithinBudget(items)).toBe(10);
  });
  test("ISO times parse; prose is refused naming the parameter", () => {
    expect(parseIsoTime("2026-01-02", "from")).toBe(Date.UTC(2026, 0, 2));
    expect(() => parseIsoTime("next week", "expires_at")).toThrow("expires_at must be an ISO 8601");
  });
});

describe("evidence CSV cells (RFC 4180, formula injection)", () => {
  test("quotes commas, quotes and newlines; neutralises leading formula characters", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("line1\nline2")).toBe('"line1\nline2"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell("-1")).toBe('"\'-1"');
  });
});
