import { describe, expect, test } from "bun:test";
import {
  auditCsvLine,
  csvField,
  decodeAuditCursor,
  encodeAuditCursor,
  HOUR_MS,
  type AuditRow,
} from "../../../src/audit/query";
import { parseAuditQuery, parseAuditTime } from "../../../src/admin/audit-filters";
import { renderCallsChart } from "../../../src/admin/chart";
import { safeNext } from "../../../src/admin/console";
import { AdminError } from "../../../src/admin/errors";
import { userIdForEmail } from "../../../src/tenancy/sync";

/** The pure pieces behind the admin pages and API: filter parsing, cursors, CSV, the chart, redirects. */
describe("audit filters", () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);

  test("presets bound the time range; the page defaults to 24 h, the API to all time", () => {
    expect(parseAuditQuery(new URLSearchParams(""), now, "24h").filters.from).toBe(now - 24 * HOUR_MS);
    expect(parseAuditQuery(new URLSearchParams(""), now, "all").filters.from).toBeUndefined();
    expect(parseAuditQuery(new URLSearchParams("range=7d"), now, "all").filters.from).toBe(now - 7 * 24 * HOUR_MS);
  });

  test("from/to accept ISO 8601, datetime-local (read as UTC) and epoch ms, and imply a custom range", () => {
    const q = parseAuditQuery(new URLSearchParams("from=2026-11-24T09:00&to=2026-11-24T10:30:00Z"), now, "24h");
    expect(q.range).toBe("custom");
    expect(q.filters.from).toBe(Date.UTC(2026, 10, 24, 9, 0, 0));
    expect(q.filters.to).toBe(Date.UTC(2026, 10, 24, 10, 30, 0));
    expect(parseAuditTime("1764000000000", "from")).toBe(1764000000000);
    expect(() => parseAuditTime("last tuesday", "from")).toThrow(AdminError);
  });

  test("a user filter takes an email (mapped to the stable user id) or an id", () => {
    expect(parseAuditQuery(new URLSearchParams("user=Owner@Fabrikam-Law.example"), now, "all").filters.userId).toBe(
      userIdForEmail("owner@fabrikam-law.example"),
    );
    expect(parseAuditQuery(new URLSearchParams("user=usr_abc"), now, "all").filters.userId).toBe("usr_abc");
  });

  test("caller mistakes name the parameter", () => {
    for (const [qs, word] of [
      ["surface=nowhere", "surface"],
      ["kind=x", "kind"],
      ["limit=0", "limit"],
      ["colour=red", "colour"],
    ] as const) {
      try {
        parseAuditQuery(new URLSearchParams(qs), now, "all");
        throw new Error(`accepted ${qs}`);
      } catch (err) {
        expect(err).toBeInstanceOf(AdminError);
        expect((err as AdminError).code).toBe("invalid_request");
        expect((err as AdminError).message).toContain(word);
      }
    }
  });
});

describe("cursor and export formats", () => {
  test("cursors round-trip and foreign ones are refused", () => {
    expect(decodeAuditCursor(encodeAuditCursor(12345))).toBe(12345);
    expect(() => decodeAuditCursor("bm9wZQ")).toThrow("cursor");
  });

  test("CSV quotes per RFC 4180 and neutralises spreadsheet formulas", () => {
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField(null)).toBe("");
    const row = {
      seq: 1,
      id: "aud_1",
      at: 0,
      kind: "mcp",
      action: "a",
      outcome: "ok",
      requestId: null,
      surface: "forge",
      tool: "@SUM(A1)",
      userId: null,
      tenantId: null,
      clientId: null,
      grantId: null,
      ip: null,
      latencyMs: 3,
      detail: '{"q":"x"}',
      confirmsId: null,
      prevHash: "p",
      hash: "h",
    } satisfies AuditRow;
    const line = auditCsvLine(row);
    expect(line).toContain(",'@SUM(A1),");
    expect(line).toEndWith("\r\n");
  });
});

describe("calls chart", () => {
  test("stacks outcomes per hour with a legend and a tooltip per bar", () => {
    const from = Date.UTC(2026, 10, 24, 0, 0, 0);
    const svg = renderCallsChart(
      [
        { hour: from, outcome: "ok", count: 3 },
        { hour: from, outcome: "denied_cross_tenant", count: 1 },
        { hour: from + 2 * HOUR_MS, outcome: "tool_error", count: 2 },
      ],
      from,
      from + 6 * HOUR_MS,
    );
    expect(svg).toContain("6 calls · per hour");
    expect(svg).toContain("ok <b>3</b>");
    expect(svg).toContain("denied_cross_tenant 1");
    expect((svg.match(/class="hit"/g) ?? []).length).toBe(6);
  });

  test("long ranges are grouped so the chart never has more than 744 bars", () => {
    const svg = renderCallsChart([], 0, 90 * 24 * HOUR_MS);
    expect((svg.match(/class="hit"/g) ?? []).length).toBeLessThanOrEqual(744);
    expect(svg).toContain("per 3 hours");
  });
});

describe("sign-in redirect", () => {
  const origin = "http://127.0.0.1:8788";
  test("only paths on the admin origin are followed", () => {
    expect(safeNext("/audit?range=7d", origin)).toBe("/audit?range=7d");
    expect(safeNext("/audit?surface=cavalier#top", origin)).toBe("/audit?surface=cavalier#top");
    const evil = [
      "//evil.example",
      "https://evil.example",
      "/\\evil.example",
      "/%09/evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/%5C/evil.example",
      "/%E0%A4%A",
      "javascript:alert(1)",
      "",
      null,
    ];
    for (const e of evil) expect({ e, to: safeNext(e, origin) }).toEqual({ e, to: "/connections" });
  });
});
