import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { accessFor, fixtureTools, serveSurface, tableAuth } from "../../helpers/mcp";

let app: TestAppliance;
let srv: ReturnType<typeof serveSurface>;
const TOKEN = "tok-tech";

beforeAll(async () => {
  app = await startTestAppliance();
  const auth = tableAuth({
    [TOKEN]: accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", [
      "cavalier:read",
      "cavalier:write",
    ]),
    "tok-readonly": accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", ["cavalier:read"]),
  });
  srv = serveSurface(app.ctx, "cavalier", fixtureTools("cavalier"), auth);
});
afterAll(async () => {
  srv?.stop();
  await app?.close();
});

let seq = 0;
function rid(): string {
  return `req_transport_${Date.now()}_${++seq}`;
}

async function post(body: unknown, headers: Record<string, string> = {}, token: string | null = TOKEN) {
  const res = await fetch(srv.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { res, status: res.status, text, json: text ? JSON.parse(text) : null };
}

async function auditRows(requestId: string) {
  await app.ctx.audit.flush();
  const r = await app.ctx.store.client.execute({
    sql: "SELECT * FROM audit_log WHERE request_id = ? ORDER BY seq",
    args: [requestId],
  });
  return r.rows;
}

const init = (version: string) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "t", version: "1" } },
});

describe("Streamable HTTP transport (stateless)", () => {
  test("initialize echoes a supported version, offers the latest otherwise, and issues no session", async () => {
    const a = await post(init("2025-06-18"));
    expect(a.status).toBe(200);
    expect(a.res.headers.get("content-type")).toContain("application/json");
    expect(a.json.result.protocolVersion).toBe("2025-06-18");
    expect(a.json.result.capabilities.tools).toBeDefined();
    expect(a.res.headers.get("mcp-session-id")).toBeNull();
    const b = await post(init("2099-01-01"));
    expect(b.json.result.protocolVersion).toBe("2025-11-25");
  });

  test("answers tools/call with no session and no prior initialize, and without text/event-stream in Accept", async () => {
    const r = await post(
      {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "fixture_read_tenant", arguments: { tenant_id: "contosocare" } },
      },
      { accept: "application/json" },
    );
    expect(r.status).toBe(200);
    expect(r.json.id).toBe(7);
    expect(r.json.result.structuredContent).toEqual({ tenant_id: "contosocare", name: "ContosoCare Clinic" });
    expect(JSON.parse(r.json.result.content[0].text)).toEqual(r.json.result.structuredContent);
    const noAccept = await fetch(srv.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(noAccept.status).toBe(200);
  });

  test("concurrent requests with the same JSON-RPC id each get their own answer", async () => {
    const tenants = ["contosocare", "fabrikam-law", "tailspin-logistics", "harbor-it"];
    const results = await Promise.all(
      tenants.map((t) =>
        post({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "fixture_read_tenant", arguments: { tenant_id: t } },
        }),
      ),
    );
    expect(results.map((r) => r.json.result.structuredContent.tenant_id)).toEqual(tenants);
  });

  test("GET and DELETE answer 405, never 404", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(srv.url, {
        method,
        headers: { accept: "text/event-stream", authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
  });

  test("a JSON-RPC batch is refused with one JSON-RPC error", async () => {
    const r = await post(
      [
        { jsonrpc: "2.0", id: 1, method: "ping" },
        { jsonrpc: "2.0", id: 2, method: "ping" },
      ],
      { "mcp-protocol-version": "2025-06-18" },
    );
    expect(r.status).toBe(400);
    expect(Array.isArray(r.json)).toBe(false);
    expect(r.json.error.code).toBe(-32600);
  });

  test("malformed JSON is a parse error (-32700), not a 500", async () => {
    const r = await post("{not json");
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(-32700);
  });

  test("an unsupported MCP-Protocol-Version gets 400; a missing one is assumed 2025-03-26", async () => {
    const bad = await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { "mcp-protocol-version": "1999-01-01" });
    expect(bad.status).toBe(400);
    const none = await post({ jsonrpc: "2.0", id: 1, method: "ping" });
    expect(none.status).toBe(200);
    const ok = await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { "mcp-protocol-version": "2025-11-25" });
    expect(ok.status).toBe(200);
  });

  test("Host and Origin are checked (DNS rebinding): a foreign one is 403, an absent Origin is fine", async () => {
    const host = await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { host: "evil.example.com" });
    expect(host.status).toBe(403);
    const origin = await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { origin: "https://evil.example" });
    expect(origin.status).toBe(403);
    const local = await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { origin: "http://localhost:6274" });
    expect(local.status).toBe(200);
  });

  test("notifications are accepted with 202 and no body", async () => {
    const r = await post({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect(r.status).toBe(202);
    expect(r.text).toBe("");
  });

  test("server/discover is answered with server info and supported versions, even without a token", async () => {
    const r = await post(
      { jsonrpc: "2.0", id: "openai-mcp-discover", method: "server/discover", params: {} },
      {},
      null,
    );
    expect(r.status).toBe(200);
    expect(r.json.id).toBe("openai-mcp-discover");
    expect(r.json.result.supportedVersions).toContain("2025-03-26");
    expect(r.json.result.serverInfo.name).toBe("cavaridge-cavalier");
  });

  test("tools/list: every tool has a title, all four hints, described parameters and an object output schema", async () => {
    const r = await post({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const tools = r.json.result.tools;
    expect(tools.length).toBe(3);
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(t.annotations.title).toBe(t.title);
      for (const h of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"])
        expect(typeof t.annotations[h]).toBe("boolean");
      for (const p of Object.values(t.inputSchema.properties) as { description?: string }[])
        expect(p.description?.length).toBeGreaterThan(0);
      expect(t.outputSchema.type).toBe("object");
      expect(t.securitySchemes).toEqual([
        { type: "oauth2", scopes: [t.name === "fixture_write_note" ? "cavalier:write" : "cavalier:read"] },
      ]);
    }
  });

  test("GET /{surface}/list_tools serves the public catalog with required scopes", async () => {
    const res = await fetch(`${srv.url}/list_tools`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { surface: string; tools: { name: string; scope: string }[] };
    expect(body.surface).toBe("cavalier");
    expect(body.tools.find((t) => t.name === "fixture_write_note")?.scope).toBe("cavalier:write");
  });
});

describe("surface auth", () => {
  test("no token: 401 challenge, and the refusal is audited", async () => {
    const id = rid();
    const r = await post(
      {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "fixture_read_tenant", arguments: { tenant_id: "contosocare" } },
      },
      { "x-request-id": id },
      null,
    );
    expect(r.status).toBe(401);
    expect(r.res.headers.get("www-authenticate")).toContain("resource_metadata=");
    const rows = await auditRows(id);
    expect(rows.map((x) => x.outcome)).toEqual(["unauthorized"]);
    expect(rows[0]!.tool).toBe("fixture_read_tenant");
  });

  test("a token in the query string is ignored", async () => {
    const res = await fetch(`${srv.url}?access_token=${TOKEN}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(res.status).toBe(401);
  });

  test("a bad token: 401 invalid_token, audited", async () => {
    const id = rid();
    const r = await post({ jsonrpc: "2.0", id: 1, method: "tools/list" }, { "x-request-id": id }, "tok-nope");
    expect(r.status).toBe(401);
    expect(r.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await auditRows(id)).map((x) => x.outcome)).toEqual(["unauthorized"]);
  });

  test("a token without the tool's scope: 403 insufficient_scope naming every scope needed, audited denied_scope, nothing runs", async () => {
    const id = rid();
    const r = await post(
      {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "fixture_write_note", arguments: { tenant_id: "contosocare", key: "scope", text: "x" } },
      },
      { "x-request-id": id },
      "tok-readonly",
    );
    expect(r.status).toBe(403);
    const challenge = r.res.headers.get("www-authenticate")!;
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="cavalier:read cavalier:write"');
    const rows = await auditRows(id);
    expect(rows.map((x) => x.outcome)).toEqual(["denied_scope"]);
    expect(rows[0]!.user_id).toBeTruthy();
  });
});

describe("malformed tools/call", () => {
  test("params without a name or with non-object arguments: JSON-RPC invalid params, still audited", async () => {
    const id = rid();
    const r = await post(
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "fixture_read_tenant", arguments: [1] } },
      { "x-request-id": id },
    );
    expect(r.json.error.code).toBe(-32602);
    expect((await auditRows(id)).map((x) => x.outcome)).toEqual(["invalid_input"]);
  });

  test("an unknown tool is a JSON-RPC invalid params error, audited invalid_input", async () => {
    const id = rid();
    const r = await post(
      { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "no_such_tool", arguments: {} } },
      { "x-request-id": id },
    );
    expect(r.json.error.code).toBe(-32602);
    expect((await auditRows(id)).map((x) => x.outcome)).toEqual(["invalid_input"]);
  });

  test('bug: bodies the SDK rejects (params 5, "x", null, _meta 5) hung forever; now -32600 at once, tools/call audited', async () => {
    const bad = [
      { jsonrpc: "2.0", id: 1, method: "ping", params: 5 },
      { jsonrpc: "2.0", id: 2, method: "tools/list", params: "x" },
      { jsonrpc: "2.0", id: 3, method: "ping", params: null },
      { jsonrpc: "2.0", id: 4, method: "tools/list", params: { _meta: 5 } },
      { jsonrpc: "2.0", id: 5, method: "ping", extra: true },
      { jsonrpc: "2.0", id: 1.5, method: "ping" },
    ];
    for (const body of bad) {
      const res = await fetch(srv.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(3000),
      });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { id: unknown; error: { code: number } };
      expect(json.error.code).toBe(-32600);
      expect(json.id).toBe(Number.isInteger(body.id) ? body.id : null);
    }
    const id = rid();
    const res = await fetch(srv.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, "x-request-id": id },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 77,
        method: "tools/call",
        params: { name: "fixture_read_tenant", arguments: { tenant_id: "harbor-it" }, _meta: 5 },
      }),
      signal: AbortSignal.timeout(3000),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32600);
    const rows = await auditRows(id);
    expect(rows.map((x) => x.outcome)).toEqual(["invalid_input"]);
    expect(rows[0]!.tool).toBe("fixture_read_tenant");
  });

  test("a malformed notification is refused with 400, not silently accepted", async () => {
    const r = await post({ jsonrpc: "2.0", method: "notifications/initialized", params: 7 });
    expect(r.status).toBe(400);
  });

  test("a body over 1 MiB is refused with 413 before parsing", async () => {
    const r = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(1024 * 1024 + 10) } }),
    );
    expect(r.status).toBe(413);
  });
});
