import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REFUSAL_ROWS_PER_MINUTE, RefusalAuditLimiter } from "../../../src/mcp/refusal-audit";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { accessFor, fixtureTools, serveSurface, tableAuth } from "../../helpers/mcp";

/**
 * Bug (security review): requests refused at the surface by the Host/Origin check (403) or an unsupported
 * MCP-Protocol-Version (400) left no audit row, although every refused request is audited (docs/mcp-client-compat.md H2).
 */

let app: TestAppliance;
let srv: ReturnType<typeof serveSurface>;
let now = Date.UTC(2026, 10, 24, 9, 0, 0);
const TOKEN = "tok-tech";

beforeAll(async () => {
  app = await startTestAppliance({ clock: () => now });
  srv = serveSurface(
    app.ctx,
    "cavalier",
    fixtureTools("cavalier"),
    tableAuth({
      [TOKEN]: accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", ["cavalier:read"]),
    }),
  );
});
afterAll(async () => {
  srv?.stop();
  await app?.close();
});

let seq = 0;
const rid = () => `req_refusal_${++seq}`;
const toolCall = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "fixture_read_tenant", arguments: { tenant_id: "harbor-it" } },
});

async function post(headers: Record<string, string>, token: string | null = TOKEN, body = toolCall) {
  const res = await fetch(srv.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  await res.text();
  return res.status;
}

async function rows(sql: string, args: (string | number)[] = []) {
  await app.ctx.audit.flush();
  return (await app.ctx.store.client.execute({ sql, args })).rows;
}

describe("bug: refusals at the surface were not audited", () => {
  test("a tools/call refused for its Origin or Host (403) or MCP-Protocol-Version (400) writes one audit row naming the tool", async () => {
    const cases = [
      [{ origin: "https://evil.example" }, 403, "denied_origin"],
      [{ host: "evil.example" }, 403, "denied_origin"],
      [{ "mcp-protocol-version": "1999-01-01" }, 400, "invalid_request"],
    ] as const;
    for (const [headers, status, outcome] of cases) {
      const id = rid();
      expect(await post({ ...headers, "x-request-id": id })).toBe(status);
      const r = await rows("SELECT outcome, tool, user_id, ip FROM audit_log WHERE request_id = ?", [id]);
      expect(r.map((x) => x.outcome)).toEqual([outcome]);
      expect(r[0]!.tool).toBe("fixture_read_tenant");
      expect(r[0]!.ip).toBe("127.0.0.1");
      // The version refusal comes after authentication, so it names the user; the origin refusal comes first.
      if (outcome === "invalid_request") expect(r[0]!.user_id).toBeTruthy();
    }
  });

  test("a spray of unauthenticated refusals from one address writes at most N rows a minute, then one summary row", async () => {
    const sprayed = REFUSAL_ROWS_PER_MINUTE + 12;
    for (let i = 0; i < sprayed; i++)
      expect(await post({ origin: i % 2 ? "https://evil.example" : "" }, null)).toBe(i % 2 ? 403 : 401);
    // The two origin refusals of the test above fall in the same window: 2 + sprayed refusals, N rows.
    const refusalRows = await rows(
      "SELECT count(*) AS n FROM audit_log WHERE outcome IN ('unauthorized', 'denied_origin') AND ip = '127.0.0.1'",
    );
    expect(Number(refusalRows[0]!.n)).toBe(REFUSAL_ROWS_PER_MINUTE);
    // A minute later the next refusal brings the summary of what was left out.
    now += 61_000;
    expect(await post({}, null)).toBe(401);
    const summary = await rows(
      "SELECT detail, outcome FROM audit_log WHERE action = 'cavalier.refusals_summarized' ORDER BY seq DESC LIMIT 1",
    );
    expect(summary).toHaveLength(1);
    const detail = JSON.parse(String(summary[0]!.detail));
    expect(detail.suppressed).toBe(2 + sprayed - REFUSAL_ROWS_PER_MINUTE);
    expect(detail.by_outcome.unauthorized + detail.by_outcome.denied_origin).toBe(detail.suppressed);
  });
});

describe("RefusalAuditLimiter", () => {
  test("N rows per address per minute, the rest counted; other addresses unaffected; the summary comes when the window ends", () => {
    const l = new RefusalAuditLimiter(2);
    const t = 1_000_000;
    expect([1, 2, 3, 4].map(() => l.admit("1.1.1.1", "unauthorized", t).record)).toEqual([true, true, false, false]);
    expect(l.admit("2.2.2.2", "denied_origin", t + 1).record).toBe(true);
    expect(l.drain(t + 59_999)).toEqual([]);
    const next = l.admit("1.1.1.1", "unauthorized", t + 60_000);
    expect(next.record).toBe(true);
    expect(next.summaries).toEqual([{ ip: "1.1.1.1", windowStart: t, suppressed: 2, byOutcome: { unauthorized: 2 } }]);
  });

  test("memory is bounded: beyond the address limit, new addresses share one bucket", () => {
    const l = new RefusalAuditLimiter(1, 3);
    for (const ip of ["a", "b", "c"]) expect(l.admit(ip, "unauthorized", 0).record).toBe(true);
    expect(l.admit("d", "unauthorized", 1).record).toBe(true);
    expect(l.admit("e", "unauthorized", 1).record).toBe(false);
    const owed = l.drain(2, true);
    expect(owed.map((s) => s.suppressed)).toEqual([1]);
  });
});
