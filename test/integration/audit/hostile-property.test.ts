import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { randomUUID } from "node:crypto";
import { verifyAuditChain } from "../../../src/audit/log";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { hostileString } from "../../helpers/hostile-strings";
import {
  buildAuthorizeUrl,
  CookieJar,
  fetchWithJar,
  formBody,
  hiddenInputs,
  obtainTokens,
  registerTestClient,
  type TestClient,
} from "../../helpers/oauth";

/**
 * Property: no request, authenticated or not, can write an audit row that fails verification. Random Unicode
 * (NUL, C0 and C1 controls, lone surrogates, emoji straddling the 128-unit cut, long strings) goes into every
 * audit-bearing field over real HTTP to a started appliance: tool names, JSON-RPC methods, tenant ids, object
 * ids, argument keys, free-text arguments of a write tool, client names at registration, OAuth scopes, and sign-in
 * usernames on the OAuth and admin pages.
 * No answer is a 5xx, and afterwards the whole chain verifies. Seeded and bounded.
 */

let app: TestAppliance;
let tokens: Record<"cavalier" | "forge" | "aegis", string>;
let client: TestClient;

beforeAll(async () => {
  app = await startTestAppliance();
  const [c, f, a] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "forge" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "aegis" }),
  ]);
  tokens = { cavalier: c.access_token, forge: f.access_token, aegis: a.access_token };
  client = await registerTestClient(app);
}, 60_000);

afterAll(async () => {
  await app?.close();
});

type Surface = keyof typeof tokens;

async function rpc(surface: Surface, withToken: boolean, method: string, params: unknown): Promise<number> {
  const res = await fetch(`${app.baseUrl}/${surface}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      ...(withToken ? { authorization: `Bearer ${tokens[surface]}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  await res.arrayBuffer();
  return res.status;
}

const toolCall = (surface: Surface, withToken: boolean, name: string, args: Record<string, unknown>) =>
  rpc(surface, withToken, "tools/call", { name, arguments: args });

/** One request carrying `s` in one audit-bearing field; resolves with the HTTP status. */
const TARGETS: Record<string, (s: string, withToken: boolean) => Promise<number>> = {
  tool_name: (s, t) => toolCall("cavalier", t, s, {}),
  method: (s, t) => rpc("forge", t, s, {}),
  tenant_id: (s, t) => toolCall("cavalier", t, "cavalier_list_deals", { tenant_id: s }),
  deal_id: (s, t) => toolCall("cavalier", t, "cavalier_get_deal", { deal_id: s }),
  finding_id: (s, t) => toolCall("aegis", t, "aegis_get_finding", { finding_id: s }),
  article_id: (s, t) => toolCall("forge", t, "forge_get_article", { article_id: s }),
  argument_key: (s, t) => toolCall("aegis", t, "aegis_list_findings", { [s]: 1 }),
  free_text: (s, t) =>
    toolCall("cavalier", t, "cavalier_create_deal", {
      tenant_id: "contosocare",
      name: s.slice(0, 200) || "x",
      notes: s,
      idempotency_key: randomUUID(),
    }),
  note_and_id: (s, t) => toolCall("aegis", t, "aegis_acknowledge_finding", { finding_id: s, note: s }),
  client_name: async (s) => {
    const res = await fetch(`${app.baseUrl}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: s,
        redirect_uris: ["http://127.0.0.1:9/cb"],
        token_endpoint_auth_method: "none",
      }),
    });
    await res.arrayBuffer();
    return res.status;
  },
  sign_in_username: async (s) => {
    const jar = new CookieJar();
    const page = await fetchWithJar(jar, buildAuthorizeUrl(app, client));
    const html = await page.text();
    const res = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...hiddenInputs(html), email: s, password: "not-the-password" }),
    );
    await res.arrayBuffer();
    return res.status;
  },
  admin_sign_in_username: async (s) => {
    const jar = new CookieJar();
    const form = await fetchWithJar(jar, `${app.adminUrl}/sign-in`);
    const res = await fetchWithJar(
      jar,
      `${app.adminUrl}/sign-in`,
      formBody({ ...hiddenInputs(await form.text()), email: s, password: "not-the-password" }),
    );
    await res.arrayBuffer();
    return res.status;
  },
  oauth_scope: async (s) => {
    const res = await fetch(buildAuthorizeUrl(app, client, { scope: s }), { redirect: "manual" });
    await res.arrayBuffer();
    return res.status;
  },
};

test("random Unicode in every audit-bearing field, with and without a token: no 5xx, and the chain verifies", async () => {
  const before = Number((await app.ctx.store.client.execute("SELECT count(*) AS n FROM audit_log")).rows[0]!.n);
  const names = Object.keys(TARGETS);
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...names), hostileString(), fc.boolean(), async (target, s, withToken) => {
      const status = await TARGETS[target]!(s, withToken);
      expect({ target, status: status < 500 }).toEqual({ target, status: true });
    }),
    { seed: 0x5eed_a0d1, numRuns: 200, interruptAfterTimeLimit: 35_000, markInterruptAsFailure: false },
  );

  await app.ctx.audit.flush();
  const result = await verifyAuditChain(app.ctx.store.client);
  expect(result.breaks).toEqual([]);
  expect(result.ok).toBe(true);
  expect(result.rows - before).toBeGreaterThan(50);

  // Every stored string is well-formed and free of raw control characters.
  const rows = (await app.ctx.store.client.execute("SELECT * FROM audit_log")).rows;
  for (const row of rows)
    for (const value of Object.values(row))
      if (typeof value === "string") {
        expect(value.isWellFormed()).toBe(true);
        expect(value).not.toMatch(/\p{Cc}/u);
      }
}, 90_000);
