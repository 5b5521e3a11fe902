import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bearerChallenge } from "../../../src/oauth/bearer";
import type { SurfaceAuth } from "../../../src/mcp/auth";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestAppliance, testConfigToml, type TestAppliance } from "../../helpers/appliance";
import { runCliProcess } from "../../helpers/cli-process";
import { fixtureTools, serveSurface } from "../../helpers/mcp";
import { formBody, obtainTokens } from "../../helpers/oauth";

/**
 * The surface rules with real tokens from the appliance's own OAuth server. Fixture tools are served through
 * the appliance's real verifier (same store, same keys), so every rule is proven independently of the product
 * tools; the product surfaces themselves are exercised in test/e2e/mcp-*.test.ts.
 */
let app: TestAppliance;
let second: TestAppliance;
let now = Date.now();
let fixture: ReturnType<typeof serveSurface>;

beforeAll(async () => {
  app = await startTestAppliance({ clock: () => now });
  // A second appliance process on the same database (same directory, hence same master key).
  second = await startTestAppliance({ dir: app.dir });
  const auth: SurfaceAuth = {
    verify: (token, surface) => app.oauth.verifier.verify(token, surface),
    challenge: (surface, kind, opts) => bearerChallenge(app.config, surface, kind, opts),
  };
  fixture = serveSurface(app.ctx, "cavalier", fixtureTools("cavalier"), auth);
});
afterAll(async () => {
  fixture?.stop();
  await second?.stop();
  await app?.close();
});

let seq = 0;
async function rpc(url: string, token: string | null, method: string, params: unknown = {}) {
  const requestId = `req_real_${++seq}_${Date.now()}`;
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-request-id": requestId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: seq, method, params }),
  });
  const text = await res.text();
  return { status: res.status, res, json: text ? JSON.parse(text) : null, requestId };
}

async function auditOutcomes(requestId: string): Promise<string[]> {
  await app.ctx.audit.flush();
  const r = await app.ctx.store.client.execute({
    sql: "SELECT outcome FROM audit_log WHERE request_id = ? AND kind = 'mcp' ORDER BY seq",
    args: [requestId],
  });
  return r.rows.map((x) => String(x.outcome));
}

describe("surface auth with real tokens", () => {
  test("a token works only at the surface it was issued for (audience)", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const ok = await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list");
    expect(ok.status).toBe(200);
    const alias = await rpc(`${app.baseUrl}/cavalier/mcp`, t.access_token, "tools/list");
    expect(alias.status).toBe(200);
    const wrong = await rpc(`${app.baseUrl}/forge`, t.access_token, "tools/list");
    expect(wrong.status).toBe(401);
    expect(wrong.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await auditOutcomes(wrong.requestId)).toEqual(["unauthorized"]);
  });

  test("a token without the tool's scope gets 403 insufficient_scope naming every scope needed; audited denied_scope", async () => {
    const t = await obtainTokens(app, {
      email: "admin@harbor-it.example",
      surface: "cavalier",
      scopes: ["cavalier:read"],
    });
    const read = await rpc(fixture.url, t.access_token, "tools/call", {
      name: "fixture_read_tenant",
      arguments: { tenant_id: "contosocare" },
    });
    expect(read.json.result.structuredContent.tenant_id).toBe("contosocare");
    const write = await rpc(fixture.url, t.access_token, "tools/call", {
      name: "fixture_write_note",
      arguments: { tenant_id: "contosocare", key: "k", text: "t" },
    });
    expect(write.status).toBe(403);
    const h = write.res.headers.get("www-authenticate")!;
    expect(h).toContain('error="insufficient_scope"');
    expect(h).toContain('scope="cavalier:read cavalier:write"');
    expect(h).toContain("resource_metadata=");
    expect(await auditOutcomes(write.requestId)).toEqual(["denied_scope"]);
  });

  test("the tenant scope comes from the token's user: another MSP's tenant is not found or not permitted", async () => {
    const t = await obtainTokens(app, { email: "admin@otter-msp.example", surface: "cavalier" });
    const r = await rpc(fixture.url, t.access_token, "tools/call", {
      name: "fixture_read_tenant",
      arguments: { tenant_id: "contosocare" },
    });
    expect(r.json.result.isError).toBe(true);
    expect(r.json.result.content[0].text).toBe("not found or not permitted");
    expect(await auditOutcomes(r.requestId)).toEqual(["denied_cross_tenant"]);
  });

  test("revocation through RFC 7009 by ANOTHER process on the same database cuts the very next request", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    expect((await rpc(fixture.url, t.access_token, "tools/list")).status).toBe(200);
    const revoke = await fetch(
      `${second.baseUrl}/oauth/revoke`,
      formBody({ token: t.refresh_token, client_id: t.client_id }),
    );
    expect(revoke.status).toBe(200);
    const after = await rpc(fixture.url, t.access_token, "tools/call", {
      name: "fixture_read_tenant",
      arguments: { tenant_id: "contosocare" },
    });
    expect(after.status).toBe(401);
    expect(after.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await auditOutcomes(after.requestId)).toEqual(["unauthorized"]);
    expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(401);
  });

  test("the live-grant cache answers repeated requests, and a revocation by another process still cuts the very next one", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const stats = app.oauth.verifier.grantCacheStats;
    // The first request reads the grant (and writes last_used_at, a commit that moves the data version), the
    // second reads it again, and from then on nothing commits: the cache answers.
    for (let i = 0; i < 2; i++)
      expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(200);
    const hitsBefore = stats.hits;
    expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(200);
    expect(stats.hits).toBe(hitsBefore + 1);
    const revoke = await fetch(
      `${second.baseUrl}/oauth/revoke`,
      formBody({ token: t.refresh_token, client_id: t.client_id }),
    );
    expect(revoke.status).toBe(200);
    const after = await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list");
    expect(after.status).toBe(401);
    expect(after.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("the live-grant cache: a revocation in this same process cuts the very next request", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    for (let i = 0; i < 3; i++)
      expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(200);
    const revoke = await fetch(
      `${app.baseUrl}/oauth/revoke`,
      formBody({ token: t.refresh_token, client_id: t.client_id }),
    );
    expect(revoke.status).toBe(200);
    expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(401);
  });

  test("the live-grant cache: a user disabled by `cavaridge user disable` in a separate OS process is refused on the very next request", async () => {
    const email = "tech@otter-msp.example";
    const t = await obtainTokens(app, { email, surface: "cavalier" });
    // Warm the cache: from the third request on, the grant is answered without the query.
    for (let i = 0; i < 3; i++)
      expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(200);
    const hits = app.oauth.verifier.grantCacheStats.hits;
    expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(200);
    expect(app.oauth.verifier.grantCacheStats.hits).toBe(hits + 1);
    const configPath = join(app.dir, "cli-config.toml");
    writeFileSync(
      configPath,
      testConfigToml({ publicPort: app.publicPort, adminPort: app.adminPort ?? 0, dbPath: app.dbPath }),
    );
    try {
      const cli = await runCliProcess(["user", "disable", "--email", email, "--config", configPath], { cwd: app.dir });
      expect(cli.code).toBe(0);
      const after = await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list");
      expect(after.status).toBe(401);
      expect(after.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    } finally {
      await app.ctx.store.client.execute({ sql: "UPDATE users SET disabled = 0 WHERE email = ?", args: [email] });
    }
  });

  test("a user disabled in the store (as the config sync does) is refused on the very next request", async () => {
    const t = await obtainTokens(app, { email: "owner@fabrikam-law.example", surface: "cavalier" });
    const before = await rpc(fixture.url, t.access_token, "tools/call", {
      name: "fixture_read_tenant",
      arguments: { tenant_id: "fabrikam-law" },
    });
    expect(before.json.result.structuredContent.tenant_id).toBe("fabrikam-law");
    await app.ctx.store.client.execute({
      sql: "UPDATE users SET disabled = 1 WHERE email = ?",
      args: ["owner@fabrikam-law.example"],
    });
    try {
      const after = await rpc(fixture.url, t.access_token, "tools/call", {
        name: "fixture_read_tenant",
        arguments: { tenant_id: "fabrikam-law" },
      });
      expect(after.status).toBe(401);
      expect(await auditOutcomes(after.requestId)).toEqual(["unauthorized"]);
    } finally {
      await app.ctx.store.client.execute({
        sql: "UPDATE users SET disabled = 0 WHERE email = ?",
        args: ["owner@fabrikam-law.example"],
      });
    }
  });

  test("an expired token gets 401 invalid_token", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    now += (app.config.oauth.access_token_ttl_seconds + 60) * 1000;
    try {
      const r = await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list");
      expect(r.status).toBe(401);
      expect(r.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    } finally {
      now = Date.now();
    }
  });

  // The verifier caches signature verification per token; expiry must still be enforced for a cached token.
  test("a token used successfully and then left to expire gets 401 invalid_token", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    expect((await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list")).status).toBe(200);
    now += (app.config.oauth.access_token_ttl_seconds + 60) * 1000;
    try {
      const r = await rpc(`${app.baseUrl}/cavalier`, t.access_token, "tools/list");
      expect(r.status).toBe(401);
      expect(r.res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    } finally {
      now = Date.now();
    }
  });

  test("no token: 401 with resource_metadata and the surface's scopes, no error code", async () => {
    const r = await rpc(`${app.baseUrl}/aegis`, null, "initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "x", version: "1" },
    });
    expect(r.status).toBe(401);
    const h = r.res.headers.get("www-authenticate")!;
    expect(h).toContain(
      `resource_metadata="${app.config.server.public_url}/.well-known/oauth-protected-resource/aegis"`,
    );
    expect(h).toContain("scope=");
    expect(h).not.toContain("error=");
  });
});
