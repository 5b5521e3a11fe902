import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { chainHash, type ChainedRow } from "../../../src/audit/chain";
import { verifyAuditChain } from "../../../src/audit/log";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { signInAdmin } from "../admin/admin-session";
import { call, connectSurface, errorText, ok } from "../../helpers/tool-calls";

/**
 * Regression: one request used to break the audit chain forever. libSQL reads a TEXT value back cut at a NUL and
 * stores a lone surrogate as U+FFFD, and a 128-unit cut could split an emoji, so a row hashed as the JavaScript
 * string no longer matched what was stored. Every case here goes over real HTTP to a started appliance, reads the
 * row back from the libSQL file and recomputes its hash from exactly what was read.
 */

let app: TestAppliance;
let cavalierToken: string;
let forgeToken: string;
let cavalier: Client;
let forge: Client;

beforeAll(async () => {
  app = await startTestAppliance();
  const [c, f] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" }),
  ]);
  cavalierToken = c.access_token;
  forgeToken = f.access_token;
  cavalier = await connectSurface(app, "cavalier", cavalierToken);
  forge = await connectSurface(app, "forge", forgeToken);
}, 60_000);

afterAll(async () => {
  await cavalier?.close();
  await forge?.close();
  await app?.close();
});

const HOSTILE_NAMES: Record<string, string> = {
  "U+0000": "\u0000",
  "a NUL inside a name": "cavalier_list_deals\u0000",
  "a lone surrogate": "\ud800",
  "127 characters and an emoji": `${"x".repeat(127)}😀`,
  "C0 controls": "tool\u0001\u001b[31m\u007f",
};

let seq = 0;
async function toolsCall(token: string | null, name: string, args: Record<string, unknown> = {}) {
  const requestId = `req_hostile_${++seq}_${Date.now()}`;
  const res = await fetch(`${app.baseUrl}/cavalier`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      "x-request-id": requestId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: seq, method: "tools/call", params: { name, arguments: args } }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, requestId };
}

/** The row as read from the libSQL file, mapped column by column to the fields the hash covers. */
function chainedRowOf(r: Record<string, unknown>): ChainedRow {
  const s = (v: unknown) => (v === null ? null : String(v));
  return {
    id: String(r.id),
    at: Number(r.at),
    kind: String(r.kind),
    action: String(r.action),
    outcome: String(r.outcome),
    requestId: s(r.request_id),
    surface: s(r.surface),
    tool: s(r.tool),
    userId: s(r.user_id),
    tenantId: s(r.tenant_id),
    clientId: s(r.client_id),
    grantId: s(r.grant_id),
    ip: s(r.ip),
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
    detail: s(r.detail),
    confirmsId: s(r.confirms_id),
  };
}

/** Reads the request's rows back and checks each one's stored hash against a hash of what was read. */
async function storedRows(requestId: string): Promise<Record<string, unknown>[]> {
  await app.ctx.audit.flush();
  const rows = (
    await app.ctx.store.client.execute({
      sql: "SELECT * FROM audit_log WHERE request_id = ? ORDER BY seq",
      args: [requestId],
    })
  ).rows as unknown as Record<string, unknown>[];
  for (const r of rows) expect(chainHash(String(r.prev_hash), chainedRowOf(r))).toBe(String(r.hash));
  return rows;
}

async function expectChainIntact() {
  await app.ctx.audit.flush();
  const result = await verifyAuditChain(app.ctx.store.client);
  expect(result.breaks).toEqual([]);
  expect(result.ok).toBe(true);
}

describe("tool names no request can use to break the chain", () => {
  for (const [label, name] of Object.entries(HOSTILE_NAMES)) {
    test(`unauthenticated tools/call named with ${label}: 401, audited in its escaped form, chain intact`, async () => {
      const r = await toolsCall(null, name);
      expect(r.status).toBe(401);
      const [row] = await storedRows(r.requestId);
      expect(row).toBeDefined();
      expect(row!.outcome).toBe("unauthorized");
      const tool = String(row!.tool);
      expect(tool.isWellFormed()).toBe(true);
      expect(tool).not.toMatch(/\p{Cc}/u);
      await expectChainIntact();
    });

    test(`tools/call named with ${label} and a valid token: a JSON-RPC error (no 500), audited, chain intact`, async () => {
      const r = await toolsCall(cavalierToken, name);
      expect(r.status).toBe(200);
      expect(r.body.error.code).toBe(-32602);
      const [row] = await storedRows(r.requestId);
      expect(row!.outcome).toBe("invalid_input");
      await expectChainIntact();
    });
  }

  test("the stored form: NUL and other controls as \\u00XX text, a lone surrogate as U+FFFD, an emoji at the cut kept whole", async () => {
    const nul = await storedRows((await toolsCall(cavalierToken, "a\u0000b\u001b")).requestId);
    expect(nul[0]!.tool).toBe("a\\u0000b\\u001b");
    const lone = await storedRows((await toolsCall(cavalierToken, "x\ud800y")).requestId);
    expect(lone[0]!.tool).toBe("x\ufffdy");
    const emoji = await storedRows((await toolsCall(cavalierToken, `${"x".repeat(127)}😀`)).requestId);
    expect(emoji[0]!.tool).toBe(`${"x".repeat(127)}😀`);
    const long = await storedRows((await toolsCall(cavalierToken, `${"x".repeat(126)}😀😀😀`)).requestId);
    expect(long[0]!.tool).toBe(`${"x".repeat(126)}😀…`);
  });
});

describe("identifiers in tool arguments", () => {
  const BAD_TENANTS: Record<string, string> = {
    "U+0000": "contosocare\u0000",
    "a lone surrogate": "\ud800",
    "127 characters and an emoji": `${"x".repeat(127)}😀`,
    "a tab": "contoso\tcare",
  };
  for (const [label, tenant] of Object.entries(BAD_TENANTS)) {
    test(`a tenant_id with ${label}, with a valid token: invalid_input, audited against the caller's tenant, chain intact`, async () => {
      const r = await toolsCall(cavalierToken, "cavalier_list_deals", { tenant_id: tenant });
      expect(r.status).toBe(200);
      expect(r.body.result.isError).toBe(true);
      expect(r.body.result.content[0].text).toContain("tenant_id");
      const [row] = await storedRows(r.requestId);
      expect(row!.outcome).toBe("invalid_input");
      expect(row!.tenant_id).toBe("harbor-it");
      await expectChainIntact();
    });
  }

  test("an object id with a control character is invalid input that says the rule, not a lookup", async () => {
    const text = errorText(await call(cavalier, "cavalier_get_deal", { deal_id: "dl_demo_tailspin_firewall\n" }));
    expect(text).toContain("deal_id must be an identifier without control characters or unpaired surrogates");
    const text2 = errorText(await call(forge, "forge_get_article", { article_id: "kb_\u0085quote" }));
    expect(text2).toContain("article_id must be an identifier");
    await expectChainIntact();
  });
});

describe("free text reads back exactly as accepted", () => {
  const FREE_TEXT =
    "Line one\n\tindented — emoji 😀👩🏽‍💻, RTL: \u202bשלום\u202c \u200fمرحبا\u200e, combining e\u0301, C1 \u0085 end";

  test("a deal's name and notes with tabs, newlines, emoji and bidirectional marks", async () => {
    const created = ok<{ deal: { id: string; name: string; notes: string } }>(
      await call(cavalier, "cavalier_create_deal", {
        tenant_id: "contosocare",
        name: `Rollout 😀 \u202eevil\u202c`,
        notes: FREE_TEXT,
        idempotency_key: randomUUID(),
      }),
    );
    const read = ok<{ deal: { name: string; notes: string } }>(
      await call(cavalier, "cavalier_get_deal", { deal_id: created.deal.id }),
    );
    expect(read.deal.notes).toBe(FREE_TEXT);
    expect(read.deal.name).toBe(`Rollout 😀 \u202eevil\u202c`);
    await expectChainIntact();
  });

  test("an article body with the same text", async () => {
    const saved = ok<{ document: { id: string } }>(
      await call(forge, "forge_save_article", {
        tenant_id: "harbor-it",
        title: "Unicode 😀 title",
        summary: "A summary with \u200f marks",
        body: FREE_TEXT,
        tags: ["unicode"],
        visibility: "internal",
        change_note: "first",
        idempotency_key: randomUUID(),
      }),
    );
    const read = ok<{ body: string; title: string }>(
      await call(forge, "forge_get_article", { article_id: saved.document.id }),
    );
    expect(read.body).toBe(FREE_TEXT);
    expect(read.title).toBe("Unicode 😀 title");
  });

  for (const [label, bad] of Object.entries({ "U+0000": "before\u0000after", "a lone surrogate": "x\udc00y" })) {
    test(`free text with ${label} is invalid input, nothing is written, and the row shows it escaped`, async () => {
      const key = randomUUID();
      const r = await toolsCall(cavalierToken, "cavalier_create_deal", {
        tenant_id: "contosocare",
        name: "Hostile notes",
        notes: bad,
        idempotency_key: key,
      });
      expect(r.body.result.isError).toBe(true);
      expect(r.body.result.content[0].text).toContain("notes");
      const deals = await app.ctx.store.client.execute({
        sql: "SELECT count(*) AS n FROM cavalier_deals WHERE idempotency_key = ?",
        args: [key],
      });
      expect(Number(deals.rows[0]!.n)).toBe(0);
      const [row] = await storedRows(r.requestId);
      expect(row!.outcome).toBe("invalid_input");
      const detail = JSON.parse(String(row!.detail)) as { arguments: { notes: string } };
      expect(detail.arguments.notes).toBe(label === "U+0000" ? "before\\u0000after" : "x\ufffdy");
      await expectChainIntact();
    });
  }

  test("a client name at registration: exact round trip, or invalid_client_metadata when it cannot be stored", async () => {
    const name = "Cursor 😀 \u202bעברית\u202c\tv2";
    const res = await fetch(`${app.baseUrl}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: name,
        redirect_uris: ["http://127.0.0.1:9/cb"],
        token_endpoint_auth_method: "none",
      }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_id: string; client_name: string };
    const stored = await app.ctx.store.client.execute({
      sql: "SELECT name FROM oauth_clients WHERE id = ?",
      args: [body.client_id],
    });
    expect(String(stored.rows[0]!.name)).toBe(name);

    for (const bad of ["a\u0000b", "\ud800"]) {
      const refused = await fetch(`${app.baseUrl}/oauth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_name: bad,
          redirect_uris: ["http://127.0.0.1:9/cb"],
          token_endpoint_auth_method: "none",
        }),
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe("invalid_client_metadata");
    }
    await expectChainIntact();
  });

  test("an admin API token's name: exact round trip, or 400 when it cannot be stored", async () => {
    const admin = await signInAdmin(app, "platform@harbor-it.example");
    const name = "CI 😀 \u202bעברית\u202c";
    const made = await admin.post("/tokens", { name });
    expect(made.status).toBe(201);
    await made.arrayBuffer();
    const stored = await app.ctx.store.client.execute({
      sql: "SELECT name FROM admin_api_tokens ORDER BY created_at DESC LIMIT 1",
      args: [],
    });
    expect(String(stored.rows[0]!.name)).toBe(name);
    // (A form cannot carry a lone surrogate: URL-encoding as UTF-8 already replaced it with U+FFFD.)
    const refused = await admin.post("/tokens", { name: "ci\u0000token" });
    expect(refused.status).toBe(400);
    await refused.arrayBuffer();
    await expectChainIntact();
  });
});
