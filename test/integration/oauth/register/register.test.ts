import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { eq } from "drizzle-orm";
import { auditLog } from "../../../../src/store/schema/audit";
import { startTestAppliance, tempDir, type TestAppliance } from "../../../helpers/appliance";
import { formBody } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

const register = (body: unknown, base = app.baseUrl, path = "/oauth/register") =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("dynamic client registration (RFC 7591)", () => {
  test("Claude's registration shape gets 201, a client_id and no secret, not cached", async () => {
    const res = await register({
      client_name: "Claude",
      redirect_uris: ["https://claude.ai/api/mcp/auth_callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toContain("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(typeof body.client_id).toBe("string");
    expect(body.client_secret).toBeUndefined();
    expect(body.token_endpoint_auth_method).toBe("none");
    expect(body.redirect_uris).toEqual(["https://claude.ai/api/mcp/auth_callback"]);
  });

  test("the root alias /register works and ten rapid registrations from one address all succeed", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        register(
          { redirect_uris: ["https://claude.ai/api/mcp/auth_callback"], token_endpoint_auth_method: "none" },
          app.baseUrl,
          "/register",
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
  });

  test("real client callbacks are accepted (Claude, ChatGPT per-connector and stable, loopback native)", async () => {
    for (const uri of [
      "https://claude.ai/api/mcp/auth_callback",
      "https://claude.com/api/mcp/auth_callback",
      "https://chatgpt.com/connector/oauth/abc123",
      "https://chatgpt.com/connector_platform_oauth_redirect",
      "http://localhost/callback",
      "http://127.0.0.1:33418/callback",
      "http://[::1]/cb",
    ]) {
      const res = await register({ redirect_uris: [uri], token_endpoint_auth_method: "none" });
      expect({ uri, status: res.status }).toEqual({ uri, status: 201 });
    }
    const native = await register({
      redirect_uris: ["http://localhost/callback"],
      token_endpoint_auth_method: "none",
      application_type: "native",
    });
    expect(native.status).toBe(201);
  });

  test("dangerous redirect URIs are refused with invalid_redirect_uri", async () => {
    for (const uri of [
      "javascript:alert(1)",
      "data:text/html,hi",
      "http://evil.com/cb",
      "https://a@evil.com/cb",
      "https://@evil.com/cb",
      "https://claude.ai/cb#frag",
      "https://claude.ai/c b",
      "https://claude.ai/cb\u0000",
      "not a url",
      "http://localhost.evil.com/cb",
    ]) {
      const res = await register({ redirect_uris: [uri], token_endpoint_auth_method: "none" });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(((await res.json()) as { error: string }).error).toBe("invalid_redirect_uri");
    }
  });

  test("bug: non-canonical redirect URIs were validated parsed but stored raw; now refused with invalid_redirect_uri", async () => {
    for (const uri of ["https:evil.com/cb", "https:/evil.com/cb", "http:localhost/cb", "HTTPS://Evil.com/cb"]) {
      const res = await register({ redirect_uris: [uri], token_endpoint_auth_method: "none" });
      const body = (await res.json()) as { error: string; error_description: string };
      expect({ uri, status: res.status, error: body.error }).toEqual({
        uri,
        status: 400,
        error: "invalid_redirect_uri",
      });
      expect(body.error_description).toContain("canonical");
    }
    // The canonical spelling of the same URIs is accepted and stored byte for byte.
    const ok = await register({
      redirect_uris: ["https://evil.com/cb", "http://localhost/cb"],
      token_endpoint_auth_method: "none",
    });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { redirect_uris: string[] }).redirect_uris).toEqual([
      "https://evil.com/cb",
      "http://localhost/cb",
    ]);
  });

  test("bad metadata is invalid_client_metadata, never a 500", async () => {
    const cases: [unknown, string][] = [
      [
        { redirect_uris: ["https://claude.ai/cb"], token_endpoint_auth_method: "private_key_jwt" },
        "invalid_client_metadata",
      ],
      [{ redirect_uris: ["https://claude.ai/cb"], grant_types: ["client_credentials"] }, "invalid_client_metadata"],
      [[1, 2], "invalid_client_metadata"],
      [{ redirect_uris: [] }, "invalid_redirect_uri"],
    ];
    for (const [body, code] of cases) {
      const res = await register(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe(code);
    }
    const notJson = await fetch(`${app.baseUrl}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toBe("invalid_client_metadata");
  });

  test("a confidential client gets a secret once; it is stored hashed and never audited", async () => {
    const res = await register({ client_name: "Confidential", redirect_uris: ["https://app.example/cb"] });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_id: string; client_secret: string; token_endpoint_auth_method: string };
    expect(body.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(body.client_secret.length).toBeGreaterThan(30);
    await app.ctx.audit.flush();
    const rows = await app.ctx.store.db.select().from(auditLog).where(eq(auditLog.clientId, body.client_id));
    expect(rows.map((r) => r.action)).toContain("oauth.client.register");
    const dump = await app.ctx.store.client.execute("SELECT * FROM oauth_clients");
    expect(JSON.stringify(dump.rows)).not.toContain(body.client_secret);
    expect(JSON.stringify(rows)).not.toContain(body.client_secret);
  });
});

describe("pruning never-used clients", () => {
  test("a client never used for prune_unused_clients_after_days is deleted at start; the token endpoint then says invalid_client", async () => {
    const dir = tempDir();
    const first = await startTestAppliance({ dir });
    const res = await register(
      { redirect_uris: ["https://claude.ai/api/mcp/auth_callback"], token_endpoint_auth_method: "none" },
      first.baseUrl,
    );
    const { client_id } = (await res.json()) as { client_id: string };
    await first.close();
    const later = Date.now() + 91 * 86_400_000;
    const second = await startTestAppliance({ dir, clock: () => later });
    try {
      const token = await fetch(
        `${second.baseUrl}/oauth/token`,
        formBody({ grant_type: "authorization_code", code: "x", client_id, code_verifier: "v".repeat(43) }),
      );
      expect(token.status).toBe(401);
      expect(((await token.json()) as { error: string }).error).toBe("invalid_client");
    } finally {
      await second.close();
    }
  });
});

describe("housekeeping", () => {
  test("expired codes, sessions and refresh tokens are purged at start; live ones stay", async () => {
    const { purgeExpired } = await import("../../../../src/oauth/housekeeping");
    const { oauthCodes, oauthSessions } = await import("../../../../src/store/schema/oauth");
    const now = Date.now();
    await app.ctx.store.db.insert(oauthCodes).values([
      {
        codeHash: "old",
        clientId: "c",
        userId: "u",
        tenantId: "t",
        surface: "forge",
        resource: "r",
        scopes: "",
        redirectUri: "x",
        codeChallenge: "y",
        createdAt: 0,
        expiresAt: now - 2 * 86_400_000,
      },
      {
        codeHash: "new",
        clientId: "c",
        userId: "u",
        tenantId: "t",
        surface: "forge",
        resource: "r",
        scopes: "",
        redirectUri: "x",
        codeChallenge: "y",
        createdAt: now,
        expiresAt: now + 60_000,
      },
    ]);
    await app.ctx.store.db
      .insert(oauthSessions)
      .values({ idHash: "gone", userId: "u", createdAt: 0, expiresAt: now - 1 });
    expect(await purgeExpired(app.ctx.store.db, now, 900_000)).toBeGreaterThanOrEqual(2);
    const codes = (await app.ctx.store.db.select().from(oauthCodes)).map((c) => c.codeHash);
    expect(codes).toContain("new");
    expect(codes).not.toContain("old");
    expect((await app.ctx.store.db.select().from(oauthSessions)).map((s) => s.idHash)).not.toContain("gone");
  });
});
