import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { auth, extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { decodeJwt } from "jose";
import { freePort, startTestAppliance, type TestAppliance } from "../helpers/appliance";
import { MemoryOAuthProvider } from "../helpers/memory-oauth-provider";
import { completeAuthorizationInBrowser } from "../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

/**
 * The MCP SDK's own OAuth client against a surface on its own hostname (server.surface_urls): the user pastes
 * `http://cavalier.localhost:<port>/mcp` (the path is exactly /mcp, as claude.ai needs: claude-ai-mcp#878), the
 * SDK discovers the PRM on that host, the authorization server on public_url, and the MCP calls go to /mcp.
 */

let app: TestAppliance;
let C: string;
beforeAll(async () => {
  const port = await freePort();
  C = `http://cavalier.localhost:${port}`;
  app = await startTestAppliance({ publicPort: port, extraToml: `[server.surface_urls]\ncavalier = "${C}"\n` });
});
afterAll(async () => {
  await app.close();
});

describe("MCP SDK client with a per-surface hostname", () => {
  test("auth() discovers from <surface_url>/mcp, the token is bound to it, and the SDK client calls tools there", async () => {
    const serverUrl = `${C}/mcp`;
    const issuer = app.config.server.public_url;

    const challenge = await fetch(serverUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
      }),
    });
    expect(challenge.status).toBe(401);
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(challenge);
    expect(resourceMetadataUrl?.href).toBe(`${C}/.well-known/oauth-protected-resource/mcp`);

    // Without the hint too: the SDK derives the well-known URL from the server URL itself (RFC 9728 §3.1).
    const provider = new MemoryOAuthProvider({
      clientName: "MCP SDK surface-host e2e",
      redirectUrl: "http://127.0.0.1:33419/callback",
      state: "sdk-host-state",
    });
    expect(await auth(provider, { serverUrl })).toBe("REDIRECT");
    const authUrl = provider.authorizationUrl!;
    expect(authUrl.href.startsWith(`${issuer}/oauth/authorize?`)).toBe(true);
    expect(authUrl.searchParams.get("resource")).toBe(serverUrl);

    const callback = await completeAuthorizationInBrowser(app, authUrl, { email: "admin@harbor-it.example" });
    expect(callback.searchParams.get("iss")).toBe(issuer);
    expect(
      await auth(provider, { serverUrl, resourceMetadataUrl, authorizationCode: callback.searchParams.get("code")! }),
    ).toBe("AUTHORIZED");
    expect(decodeJwt(provider.saved!.access_token).aud).toBe(serverUrl);

    const mcp = new Client({ name: "surface-host-e2e", version: "1.0.0" });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }));
    const tools = await mcp.listTools();
    expect(tools.tools.map((t) => t.name)).toContain("cavalier_get_quote");
    await mcp.close();

    // The same token is not accepted on the path endpoint of the same surface (audience-bound).
    const refused = await fetch(`${issuer}/cavalier`, {
      method: "POST",
      headers: { authorization: `Bearer ${provider.saved!.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(refused.status).toBe(401);

    // Refresh through the SDK keeps the audience.
    expect(await auth(provider, { serverUrl })).toBe("AUTHORIZED");
    expect(decodeJwt(provider.saved!.access_token).aud).toBe(serverUrl);
  });
});
