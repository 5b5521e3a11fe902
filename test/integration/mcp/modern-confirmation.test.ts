import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { desc, eq } from "drizzle-orm";
import { auditLog } from "../../../src/store/schema/audit";
import { storeMeta } from "../../../src/store/schema/tenancy";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { accessFor, fixtureTools, serveSurface, tableAuth } from "../../helpers/mcp";

/**
 * MCP 2026-07-28 on a surface, request by request (no SDK client, so every byte is ours to vary): stateless
 * requests with the `_meta` envelope, the SDK's header ladder, and confirmation by multi-round-trip input with a
 * requestState that is signed, names a stored single-use confirmation, and is bound to user, client and call.
 */

let app: TestAppliance;
let srv: ReturnType<typeof serveSurface>;
let now = Date.now();

const scopes = ["cavalier:read", "cavalier:write"];
beforeAll(async () => {
  app = await startTestAppliance({ clock: () => now });
  srv = serveSurface(
    app.ctx,
    "cavalier",
    fixtureTools("cavalier"),
    tableAuth({
      tech: accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", scopes),
      "tech-other-client": accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", scopes, "cli_b"),
      admin: accessFor("admin@harbor-it.example", "msp_admin", "harbor-it", "cavalier", scopes),
    }),
  );
});
afterAll(async () => {
  srv?.stop();
  await app?.close();
});

const FORM = { elicitation: { form: {} } };
let seq = 0;

/** One 2026-07-28 request: the envelope in params._meta and the headers the revision defines. */
async function modern(
  token: string | null,
  method: string,
  params: Record<string, unknown> = {},
  opts: { caps?: Record<string, unknown>; headers?: Record<string, string> } = {},
) {
  const body = {
    jsonrpc: "2.0",
    id: ++seq,
    method,
    params: {
      ...params,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
        "io.modelcontextprotocol/clientCapabilities": opts.caps ?? FORM,
      },
    },
  };
  const res = await fetch(srv.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...opts.headers,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as any };
}

const note = (key: string) => ({ tenant_id: "harbor-it", key, text: "hello" });
const stored = async (key: string) =>
  (
    await app.ctx.store.db
      .select()
      .from(storeMeta)
      .where(eq(storeMeta.key, `note:${key}`))
  ).length;
const lastAudit = async () =>
  (
    await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.tool, "fixture_write_note"))
      .orderBy(desc(auditLog.seq))
      .limit(1)
  )[0]!;

/** First round: input_required with one form-mode elicitation and a requestState. */
async function propose(token: string, key: string): Promise<string> {
  const r = await modern(token, "tools/call", { name: "fixture_write_note", arguments: note(key) });
  expect(r.status).toBe(200);
  expect(r.json.result.resultType).toBe("input_required");
  const ask = r.json.result.inputRequests.confirm;
  expect(ask.method).toBe("elicitation/create");
  expect(ask.params.mode).toBe("form");
  expect(ask.params.message).toContain(`Store note ${key}`);
  expect(ask.params.requestedSchema.properties.approve.type).toBe("boolean");
  expect((await lastAudit()).outcome).toBe("confirmation_required");
  expect(await stored(key)).toBe(0);
  return r.json.result.requestState as string;
}

function answer(token: string, key: string, requestState: string, response: Record<string, unknown>) {
  return modern(token, "tools/call", {
    name: "fixture_write_note",
    arguments: note(key),
    requestState,
    inputResponses: { confirm: response },
  });
}
const APPROVE = { action: "accept", content: { approve: true } };

describe("2026-07-28 requests: stateless, envelope per request", () => {
  test("tools/list is answered without initialize, with cache fields; it is the same for every caller", async () => {
    const a = await modern("tech", "tools/list");
    const b = await modern("admin", "tools/list");
    expect(a.status).toBe(200);
    expect(a.json.result.resultType).toBe("complete");
    expect(a.json.result.ttlMs).toBeGreaterThan(0);
    expect(a.json.result.cacheScope).toBe("public");
    expect(a.json.result.tools).toEqual(b.json.result.tools);
  });

  test("server/discover needs no token and offers 2026-07-28", async () => {
    const r = await modern(null, "server/discover");
    expect(r.status).toBe(200);
    expect(r.json.result.supportedVersions).toContain("2026-07-28");
  });

  test("the bearer token is still required on every request (401 challenge), and the refusal is audited", async () => {
    const r = await modern(null, "tools/list");
    expect(r.status).toBe(401);
    const bad = await modern("nope", "tools/call", { name: "fixture_read_tenant", arguments: { tenant_id: "x" } });
    expect(bad.status).toBe(401);
  });

  test("an Mcp-Method header that contradicts the body is a JSON-RPC error, audited like a version refusal", async () => {
    const r = await modern("tech", "tools/list", {}, { headers: { "mcp-method": "tools/call" } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(-32020);
    const [row] = await app.ctx.store.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
    expect(row?.outcome).toBe("invalid_request");
    expect(row?.userId).not.toBeNull();
  });

  test("an envelope naming a revision we do not serve gets the supported list, and the refusal is audited", async () => {
    const res = await fetch(srv.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer tech", "mcp-method": "tools/list" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/list",
        params: {
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2099-01-01",
            "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("2026-07-28");
    const [row] = await app.ctx.store.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
    expect(row?.outcome).toBe("invalid_request");
    expect(JSON.stringify(row?.detail)).toContain("2026-07-28 ladder");
  });

  test("a 2026-07-28 MCP-Protocol-Version header without the envelope is refused, not served as 2025", async () => {
    const res = await fetch(srv.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer tech",
        "mcp-protocol-version": "2026-07-28",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32602);
  });
});

describe("confirmation by multi-round-trip input", () => {
  test("approve: runs once, audited confirmed against the proposal", async () => {
    const state = await propose("tech", "mrtr-approve");
    const r = await answer("tech", "mrtr-approve", state, APPROVE);
    expect(r.json.result.isError).toBeFalsy();
    expect(r.json.result.structuredContent).toEqual({ key: "mrtr-approve", stored: true });
    expect(await stored("mrtr-approve")).toBe(1);
    const row = await lastAudit();
    expect(row.outcome).toBe("confirmed");
    expect(row.confirmsId).not.toBeNull();
    // Single use: the same approval again runs nothing.
    const again = await answer("tech", "mrtr-approve", state, APPROVE);
    expect(again.json.result.isError).toBe(true);
    expect((await lastAudit()).outcome).toBe("invalid_input");
  });

  test("decline, cancel and approve = false run nothing and are audited declined", async () => {
    for (const [i, response] of [
      { action: "decline" },
      { action: "cancel" },
      { action: "accept", content: { approve: false } },
    ].entries()) {
      const key = `mrtr-no-${i}`;
      const state = await propose("tech", key);
      const r = await answer("tech", key, state, response);
      expect(r.json.result.isError).toBe(true);
      expect(r.json.result.content[0].text).toContain("declined");
      expect(await stored(key)).toBe(0);
      const row = await lastAudit();
      expect(row.outcome).toBe("declined");
      expect(row.confirmsId).not.toBeNull();
      // A declined proposal cannot be approved afterwards.
      expect((await answer("tech", key, state, APPROVE)).json.result.isError).toBe(true);
      expect(await stored(key)).toBe(0);
    }
  });

  test("a tampered requestState runs nothing and is audited", async () => {
    const state = await propose("tech", "mrtr-tamper");
    const [v, body, mac] = state.split(".");
    const forged = `${v}.${body}.${mac!.slice(0, -2)}${mac!.endsWith("AA") ? "BB" : "AA"}`;
    const r = await answer("tech", "mrtr-tamper", forged, APPROVE);
    expect(r.json.result.isError).toBe(true);
    expect(await stored("mrtr-tamper")).toBe(0);
    const row = await lastAudit();
    expect(row.outcome).toBe("invalid_input");
    expect(JSON.stringify(row.detail)).toContain("requestState refused");
    // The genuine state still works: the forgery consumed nothing.
    expect((await answer("tech", "mrtr-tamper", state, APPROVE)).json.result.isError).toBeFalsy();
  });

  test("another user's or another client's requestState, or other arguments, run nothing", async () => {
    const state = await propose("tech", "mrtr-bound");
    for (const token of ["admin", "tech-other-client"]) {
      const r = await answer(token, "mrtr-bound", state, APPROVE);
      expect(r.json.result.isError).toBe(true);
      expect((await lastAudit()).outcome).toBe("invalid_input");
    }
    const changed = await modern("tech", "tools/call", {
      name: "fixture_write_note",
      arguments: { ...note("mrtr-bound"), text: "something else" },
      requestState: state,
      inputResponses: { confirm: APPROVE },
    });
    expect(changed.json.result.isError).toBe(true);
    expect(await stored("mrtr-bound")).toBe(0);
    expect((await answer("tech", "mrtr-bound", state, APPROVE)).json.result.isError).toBeFalsy();
    expect(await stored("mrtr-bound")).toBe(1);
  });

  test("an expired confirmation runs nothing", async () => {
    const state = await propose("tech", "mrtr-late");
    now += (app.config.oauth.confirmation_ttl_seconds + 1) * 1000;
    const r = await answer("tech", "mrtr-late", state, APPROVE);
    expect(r.json.result.isError).toBe(true);
    expect(await stored("mrtr-late")).toBe(0);
    expect((await lastAudit()).outcome).toBe("invalid_input");
  });

  test("a retry with a requestState but no answer runs nothing", async () => {
    const state = await propose("tech", "mrtr-silent");
    const r = await modern("tech", "tools/call", {
      name: "fixture_write_note",
      arguments: note("mrtr-silent"),
      requestState: state,
    });
    expect(r.json.result.isError).toBe(true);
    expect(await stored("mrtr-silent")).toBe(0);
  });

  test("a 2026-07-28 client without form elicitation keeps the confirmation_required envelope", async () => {
    const r = await modern(
      "tech",
      "tools/call",
      { name: "fixture_write_note", arguments: note("mrtr-env") },
      { caps: {} },
    );
    expect(r.json.result.resultType).toBe("complete");
    const envelope = r.json.result.structuredContent;
    expect(envelope.status).toBe("confirmation_required");
    const done = await modern(
      "tech",
      "tools/call",
      {
        name: "fixture_write_note",
        arguments: { ...note("mrtr-env"), confirmed: true, confirmation_token: envelope.confirmation_token },
      },
      { caps: {} },
    );
    expect(done.json.result.structuredContent).toEqual({ key: "mrtr-env", stored: true });
    expect((await lastAudit()).outcome).toBe("confirmed");
  });
});
