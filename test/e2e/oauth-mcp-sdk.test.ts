import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { auth, extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { decodeJwt } from "jose";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance";
import { MemoryOAuthProvider } from "../helpers/memory-oauth-provider";
import { completeAuthorizationInBrowser, formBody } from "../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

/**
 * The MCP SDK's own OAuth client (`auth()` + an OAuthClientProvider) against the real appliance: discovery from the
 * surface URL (401 challenge -> PRM -> AS metadata), dynamic registration, code + PKCE with the sign-in and consent
 * forms posted for real, tokens, refresh, and refusal after revocation.
 */

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

describe("MCP SDK client auth() end to end", () => {
  test("discovers, registers, signs in, consents, gets tokens, refreshes, and is refused after revocation", async () => {
    const serverUrl = `${app.baseUrl}/cavalier`;
    const issuer = app.config.server.public_url;

    // 1. The surface answers 401 with a challenge naming its PRM.
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
    expect(resourceMetadataUrl?.href).toBe(`${issuer}/.well-known/oauth-protected-resource/cavalier`);

    // 2. auth() discovers PRM + AS metadata, registers (DCR) and starts the authorization.
    const provider = new MemoryOAuthProvider({
      clientName: "MCP SDK e2e",
      redirectUrl: "http://127.0.0.1:33418/callback",
      state: "sdk-state-1",
    });
    expect(await auth(provider, { serverUrl, resourceMetadataUrl })).toBe("REDIRECT");
    expect(provider.info?.client_id).toBeTruthy();
    const authUrl = provider.authorizationUrl!;
    expect(authUrl.href.startsWith(`${issuer}/oauth/authorize?`)).toBe(true);
    expect(authUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authUrl.searchParams.get("resource")).toBe(`${issuer}/cavalier`);

    // 3. The user signs in and allows, for real.
    const callback = await completeAuthorizationInBrowser(app, authUrl, { email: "admin@harbor-it.example" });
    expect(callback.origin + callback.pathname).toBe(provider.redirectUrl);
    expect(callback.searchParams.get("state")).toBe("sdk-state-1");
    expect(callback.searchParams.get("iss")).toBe(issuer);
    const code = callback.searchParams.get("code")!;

    // 4. Code exchange.
    expect(await auth(provider, { serverUrl, resourceMetadataUrl, authorizationCode: code })).toBe("AUTHORIZED");
    const first = provider.saved!;
    expect(first.refresh_token).toBeTruthy();
    expect(decodeJwt(first.access_token).aud).toBe(`${issuer}/cavalier`);
    const access = await app.oauth.verifier.verify(first.access_token, "cavalier");
    expect(access.email).toBe("admin@harbor-it.example");

    // 5. A real MCP call with the token (the MCP surface is mounted by the MCP feature).
    const mcp = new Client({ name: "oauth-e2e", version: "1.0.0" });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }));
    const tools = await mcp.listTools();
    expect(tools.tools.length).toBeGreaterThan(0);
    await mcp.close();

    // 6. Refresh: auth() with a refresh token rotates it.
    expect(await auth(provider, { serverUrl, resourceMetadataUrl })).toBe("AUTHORIZED");
    const second = provider.saved!;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await app.oauth.verifier.verify(second.access_token, "cavalier");

    // 7. Revocation: the client revokes its refresh token; the access token is refused at once.
    const revoked = await fetch(
      `${issuer}/oauth/revoke`,
      formBody({ token: second.refresh_token!, client_id: provider.info!.client_id }),
    );
    expect(revoked.status).toBe(200);
    await expect(app.oauth.verifier.verify(second.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
    const refused = await fetch(serverUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${second.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});
