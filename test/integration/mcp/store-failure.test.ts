import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { rawToolCall } from "../../helpers/tool-calls";

/**
 * Regression (second review, M1): when the store cannot commit the audit row (disk full), the MCP client used to
 * receive the raw SQLite message ("SQLITE_FULL: …", or drizzle's "Failed query: insert into … params: …").
 * The call must fail closed with a generic internal error that carries the request id, and nothing else.
 */
let app: TestAppliance;
let token: string;

beforeAll(async () => {
  app = await startTestAppliance();
  token = (await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" })).access_token;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

test("a tools/call whose audit row cannot commit answers a generic internal error with the request id", async () => {
  // The audit table refusing writes stands in for a full disk: every append aborts.
  await app.ctx.store.client.execute(
    "CREATE TRIGGER test_audit_full BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'SQLITE_FULL: database or disk is full'); END",
  );
  try {
    for (const [name, args] of [
      ["cavalier_list_tenants", {}],
      [
        "cavalier_create_quote",
        {
          tenant_id: "contosocare",
          lines: [{ product: "Operations Pro", quantity: 1 }],
          idempotency_key: "store-failure-1",
        },
      ],
    ] as const) {
      const res = await rawToolCall(app, "cavalier", token, name, args);
      const body = (await res.json()) as { error?: { code: number; message: string }; result?: unknown };
      expect(body.result).toBeUndefined();
      expect(body.error?.code).toBe(-32603);
      expect(body.error?.message).toMatch(/Internal error; request id req_\S+$/);
      expect(body.error?.message).not.toContain("SQLITE");
      expect(body.error?.message).not.toContain("audit_log");
    }
  } finally {
    await app.ctx.store.client.execute("DROP TRIGGER test_audit_full");
  }
  // Nothing was half-written: the proposal and its audit row commit together, so no pending confirmation exists.
  const pending = await app.ctx.store.client.execute("SELECT COUNT(*) AS n FROM mcp_confirmations");
  expect(Number(pending.rows[0]!.n)).toBe(0);
  // The store recovered: the next call works and is audited.
  const ok = await rawToolCall(app, "cavalier", token, "cavalier_list_tenants", {});
  expect(((await ok.json()) as { result?: unknown }).result).toBeDefined();
});
