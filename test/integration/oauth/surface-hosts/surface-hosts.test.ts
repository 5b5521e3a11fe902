import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { decodeJwt } from "jose";
import { freePort, startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { formBody, obtainTokens, refreshTokens, type Tokens } from "../../../helpers/oauth";
import { signInAdmin } from "../../admin/admin-session";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

/**
 * server.surface_urls (docs/mcp-client-compat.md §5.2 option 1): cavalier and forge each get their own hostname
 * (`*.localhost` resolves to loopback, so these are real requests to the one listener with a real Host header),
 * aegis stays path-only. Tokens are audience-bound to ONE of a surface's two resources.
 */

let app: TestAppliance;
let PUB: string;
let C: string; // cavalier's own base URL
let F: string; // forge's own base URL
let hostTokens: Tokens; // issued for `${C}/mcp`
let pathTokens: Tokens; // issued for `${PUB}/cavalier`

beforeAll(async () => {
  const port = await freePort();
  C = `http://cavalier.localhost:${port}`;
  F = `http://forge.localhost:${port}`;
  app = await startTestAppliance({
    publicPort: port,
    extraToml: `[server.surface_urls]\ncavalier = "${C}/"\nforge = "${F}"\n`,
  });
  PUB = app.config.server.public_url;
  hostTokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier", resource: `${C}/mcp` });
  pathTokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
});
afterAll(async () => {
  await app.close();
});

async function rpc(url: string, token: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }),
  });
  return { status: res.status, www: res.headers.get("www-authenticate"), body: await res.text() };
}

describe("Protected Resource Metadata on the surface host", () => {
  test("/.well-known/oauth-protected-resource/mcp names <surface_url>/mcp; the AS stays public_url", async () => {
    const res = await fetch(`${C}/.well-known/oauth-protected-resource/mcp`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      resource: `${C}/mcp`,
      authorization_servers: [PUB],
      scopes_supported: ["cavalier:read", "cavalier:write"],
      bearer_methods_supported: ["header"],
      resource_name: "Cavaridge Cavalier",
    });
  });

  test("the root PRM on a surface host names that one surface (its origin), not all three", async () => {
    const body = (await (await fetch(`${C}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(body.resource).toBe(C);
    expect(body.authorization_servers).toEqual([PUB]);
    expect(body.scopes_supported).toEqual(["cavalier:read", "cavalier:write"]);
    const forge = (await (await fetch(`${F}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(forge.resource).toBe(F);
  });

  test("public_url keeps its path PRMs and multi-surface root PRM; /mcp there is not a surface", async () => {
    expect(
      ((await (await fetch(`${PUB}/.well-known/oauth-protected-resource/cavalier`)).json()) as { resource: string })
        .resource,
    ).toBe(`${PUB}/cavalier`);
    expect(
      ((await (await fetch(`${PUB}/.well-known/oauth-protected-resource`)).json()) as { resource: string }).resource,
    ).toBe(PUB);
    expect((await fetch(`${PUB}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
  });
});

describe("MCP endpoint on the surface host", () => {
  test("401 challenges point at the PRM of the endpoint that refused", async () => {
    const atMcp = await rpc(`${C}/mcp`, null);
    expect(atMcp.status).toBe(401);
    expect(atMcp.www).toBe(
      `Bearer resource_metadata="${C}/.well-known/oauth-protected-resource/mcp", scope="cavalier:read cavalier:write"`,
    );
    const atRoot = await rpc(`${C}/`, null);
    expect(atRoot.status).toBe(401);
    expect(atRoot.www).toContain(`resource_metadata="${C}/.well-known/oauth-protected-resource"`);
    const atPath = await rpc(`${PUB}/cavalier`, null);
    expect(atPath.www).toContain(`resource_metadata="${PUB}/.well-known/oauth-protected-resource/cavalier"`);
  });

  test("a token for <surface_url>/mcp works at /mcp and / on that host", async () => {
    expect(decodeJwt(hostTokens.access_token).aud).toBe(`${C}/mcp`);
    for (const url of [`${C}/mcp`, `${C}/`]) {
      const r = await rpc(url, hostTokens.access_token);
      expect({ url, status: r.status }).toEqual({ url, status: 200 });
      expect((JSON.parse(r.body) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
    }
  });

  test("tokens are audience-bound: the host token is refused at public_url/cavalier, the path token on the host", async () => {
    expect(decodeJwt(pathTokens.access_token).aud).toBe(`${PUB}/cavalier`);
    expect((await rpc(`${PUB}/cavalier`, pathTokens.access_token)).status).toBe(200);
    for (const url of [`${PUB}/cavalier`, `${PUB}/cavalier/mcp`]) {
      const r = await rpc(url, hostTokens.access_token);
      expect({ url, status: r.status }).toEqual({ url, status: 401 });
      expect(r.www).toContain('error="invalid_token"');
    }
    const r = await rpc(`${C}/mcp`, pathTokens.access_token);
    expect(r.status).toBe(401);
    expect(r.www).toContain(`resource_metadata="${C}/.well-known/oauth-protected-resource/mcp"`);
  });

  test("another surface's host: routed to that surface (401 for a cavalier token); refused 403 by the path endpoints and as Origin", async () => {
    expect((await rpc(`${F}/mcp`, hostTokens.access_token)).status).toBe(401);
    // A surface host is accepted by its own /mcp only, never by a path endpoint (not even its own surface's).
    expect((await rpc(`${F}/cavalier`, pathTokens.access_token)).status).toBe(403);
    expect((await rpc(`${C}/cavalier`, pathTokens.access_token)).status).toBe(403);
    expect((await rpc(`${C}/mcp`, hostTokens.access_token, { origin: F })).status).toBe(403);
    expect((await rpc(`${C}/mcp`, hostTokens.access_token, { origin: C })).status).toBe(200);
    // A host that is no surface's (aegis has none) is refused; public_url's own host has no /mcp.
    const port = new URL(PUB).port;
    expect((await rpc(`http://aegis.localhost:${port}/mcp`, null)).status).toBe(403);
    expect((await rpc(`${PUB}/mcp`, null)).status).toBe(404);
    expect((await fetch(`${C}/mcp`)).status).toBe(405);
  });
});

describe("token endpoint and revocation with a surface host", () => {
  test("refresh keeps the host audience; naming the path resource of the same surface is invalid_target", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier", resource: `${C}/mcp` });
    const wrong = await refreshTokens(app, t.client_id, t.refresh_token, { resource: `${PUB}/cavalier` });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_target");
    const ok = await refreshTokens(app, t.client_id, t.refresh_token, { resource: `${C}/mcp/` });
    expect(ok.status).toBe(200);
    expect(decodeJwt(((await ok.json()) as { access_token: string }).access_token).aud).toBe(`${C}/mcp`);
  });

  test("a client revoking its host-audience access token revokes the grant", async () => {
    const t = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier", resource: C });
    expect(decodeJwt(t.access_token).aud).toBe(`${C}/mcp`);
    expect((await rpc(`${C}/mcp`, t.access_token)).status).toBe(200);
    expect(
      (await fetch(`${PUB}/oauth/revoke`, formBody({ token: t.access_token, client_id: t.client_id }))).status,
    ).toBe(200);
    expect((await rpc(`${C}/mcp`, t.access_token)).status).toBe(401);
  });
});

describe("admin: the URL to paste", () => {
  test("GET /api/mcp/servers shows <surface_url>/mcp where configured, the path URL elsewhere", async () => {
    const admin = await signInAdmin(app, "admin@harbor-it.example");
    const token = await admin.createApiToken("surface-urls");
    const res = await fetch(`${app.adminUrl}/api/mcp/servers`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const raw = (await res.json()) as unknown;
    const list = (Array.isArray(raw) ? raw : (raw as { servers: unknown[] }).servers) as {
      surface: string;
      url: string;
      protected_resource_metadata_url: string;
    }[];
    const by = Object.fromEntries(list.map((s) => [s.surface, s]));
    expect(by.cavalier!.url).toBe(`${C}/mcp`);
    expect(by.cavalier!.protected_resource_metadata_url).toBe(`${C}/.well-known/oauth-protected-resource/mcp`);
    expect(by.aegis!.url).toBe(`${PUB}/aegis`);
    const page = await (await admin.get("/servers")).text();
    expect(page).toContain(`${C}/mcp`);
  });
});
