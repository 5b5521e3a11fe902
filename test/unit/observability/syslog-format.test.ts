import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { surfaceOfPath } from "../../../src/observability/labels";
import { toAuditRecord } from "../../../src/observability/stream/records";
import { escapeParamValue, octetCountingFrame, syslogMessage } from "../../../src/observability/stream/syslog-format";

const row = (over: Partial<Parameters<typeof toAuditRecord>[0]> = {}) =>
  toAuditRecord(
    {
      seq: 7,
      id: "aud_1",
      at: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      kind: "mcp",
      action: "forge.forge_search_knowledge",
      outcome: "ok",
      requestId: null,
      surface: "forge",
      tool: "forge_search_knowledge",
      userId: "usr_1",
      tenantId: "contosocare",
      clientId: null,
      grantId: null,
      ip: null,
      latencyMs: 3,
      detail: null,
      confirmsId: null,
      prevHash: "0".repeat(64),
      hash: "a".repeat(64),
      ...over,
    },
    "genesis",
  );

describe("RFC 5424 / RFC 6587 framing", () => {
  test("a message has the RFC 5424 header, the audit structured data and the JSON record after a BOM", () => {
    const msg = syslogMessage(row(), { hostname: "mcp.example.com", procId: "42" });
    expect(msg).toBe(
      `<110>1 2026-01-02T03:04:05.678Z mcp.example.com cavaridge 42 forge.forge_search_knowledge [audit@32473 epoch="genesis" seq="7" hash="${"a".repeat(64)}" outcome="ok" surface="forge" tool="forge_search_knowledge" tenant="contosocare" user="usr_1"] \uFEFF${JSON.stringify(row())}`,
    );
  });

  test("MSG-LEN counts octets of any UTF-8 text (seeded property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        const frame = octetCountingFrame(text);
        const space = frame.indexOf(" ");
        expect(Number(frame.slice(0, space))).toBe(Buffer.byteLength(frame.slice(space + 1), "utf8"));
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  test("PARAM-VALUE escapes quote, backslash and bracket, so a value cannot close the structured data (seeded)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (value) => {
        const escaped = escapeParamValue(value);
        // Remove escape pairs; no bare ", \ or ] may remain.
        expect(escaped.replace(/\\["\\\]]/g, "")).not.toMatch(/["\\\]]/);
      }),
      { seed: 12, numRuns: 300 },
    );
    const msg = syslogMessage(row({ tenantId: 'x"] evil' }), { hostname: "h", procId: "1" });
    expect(msg).toContain('tenant="x\\"\\] evil"');
  });

  test("a refusal is severity notice; a header field with spaces is cleaned", () => {
    const msg = syslogMessage(row({ outcome: "denied_cross_tenant", action: "a b" }), { hostname: "h o", procId: "1" });
    expect(msg.startsWith("<109>1 ")).toBe(true);
    expect(msg.split(" ").slice(2, 6)).toEqual(["ho", "cavaridge", "1", "ab"]);
  });
});

describe("bounded labels", () => {
  test("request paths map onto a fixed set of surfaces", () => {
    expect(surfaceOfPath("/forge")).toBe("forge");
    expect(surfaceOfPath("/cavalier/list_tools")).toBe("cavalier");
    expect(surfaceOfPath("/.well-known/oauth-protected-resource/aegis/mcp")).toBe("aegis");
    expect(surfaceOfPath("/oauth/token")).toBe("oauth");
    expect(surfaceOfPath("/anything-else-a-scanner-tries")).toBe("other");
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (path) => {
        expect(["forge", "cavalier", "aegis", "oauth", "mcp", "health", "metrics", "other"]).toContain(
          surfaceOfPath(`/${path}`),
        );
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
