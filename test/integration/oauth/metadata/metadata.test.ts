import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { bearerChallenge, protectedResourceMetadataUrl } from "../../../../src/oauth/bearer";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

let app: TestAppliance;
let issuer: string;
beforeAll(async () => {
  app = await startTestAppliance();
  issuer = app.config.server.public_url;
});
afterAll(async () => {
  await app.close();
});

describe("authorization server metadata (RFC 8414)", () => {
  test("serves the same document at oauth-authorization-server and openid-configuration, issuer byte-identical", async () => {
    const a = await fetch(`${app.baseUrl}/.well-known/oauth-authorization-server`);
    const b = await fetch(`${app.baseUrl}/.well-known/openid-configuration`);
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toContain("application/json");
    const meta = (await a.json()) as Record<string, unknown>;
    expect(await b.json()).toEqual(meta);
    expect(meta.issuer).toBe(issuer);
    expect(issuer.endsWith("/")).toBe(false);
    expect(meta.authorization_endpoint).toBe(`${issuer}/oauth/authorize`);
    expect(meta.token_endpoint).toBe(`${issuer}/oauth/token`);
    expect(meta.registration_endpoint).toBe(`${issuer}/oauth/register`);
    expect(meta.revocation_endpoint).toBe(`${issuer}/oauth/revoke`);
    expect(meta.jwks_uri).toBe(`${issuer}/oauth/jwks`);
    expect(meta.response_types_supported).toEqual(["code"]);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token"]));
    expect(meta.code_challenge_methods_supported).toEqual(["S256"]);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["none", "client_secret_basic", "client_secret_post"]),
    );
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.client_id_metadata_document_supported).toBe(true);
    expect(meta.scopes_supported).toEqual(
      expect.arrayContaining(["cavalier:read", "forge:write", "aegis:read", "offline_access"]),
    );
  });

  test("well-known, token and register answer CORS preflights for browser clients", async () => {
    for (const path of [
      "/oauth/token",
      "/token",
      "/oauth/register",
      "/.well-known/oauth-authorization-server",
      "/.well-known/oauth-protected-resource/cavalier",
    ]) {
      const res = await fetch(`${app.baseUrl}${path}`, {
        method: "OPTIONS",
        headers: { origin: "http://localhost:6274", "access-control-request-method": "POST" },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
    }
    const meta = await fetch(`${app.baseUrl}/.well-known/oauth-authorization-server`);
    expect(meta.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("protected resource metadata (RFC 9728)", () => {
  for (const surface of ["forge", "cavalier", "aegis"] as const) {
    test(`${surface}: resource is the surface URL byte for byte, public, no offline_access`, async () => {
      const res = await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource/${surface}`);
      expect(res.status).toBe(200);
      const prm = (await res.json()) as {
        resource: string;
        authorization_servers: string[];
        scopes_supported: string[];
      };
      expect(prm.resource).toBe(`${issuer}/${surface}`);
      expect(prm.authorization_servers).toEqual([issuer]);
      expect(prm.scopes_supported).toEqual([`${surface}:read`, `${surface}:write`]);
      expect(prm.scopes_supported).not.toContain("offline_access");
    });
  }

  test("the /mcp alias document names the /mcp URL it was derived from", async () => {
    const prm = (await (await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource/cavalier/mcp`)).json()) as {
      resource: string;
    };
    expect(prm.resource).toBe(`${issuer}/cavalier/mcp`);
  });

  test("the root document exists and names the origin", async () => {
    const res = await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource`);
    expect(res.status).toBe(200);
    const prm = (await res.json()) as { resource: string; authorization_servers: string[] };
    expect(prm.resource).toBe(issuer);
    expect(prm.authorization_servers).toEqual([issuer]);
  });

  test("an unknown surface is 404", async () => {
    expect((await fetch(`${app.baseUrl}/.well-known/oauth-protected-resource/nope`)).status).toBe(404);
  });
});

describe("bearer challenge (RFC 6750 §3, RFC 9728 §5.1)", () => {
  test("missing token: 401 with resource_metadata and baseline scope, no error=", async () => {
    const res = bearerChallenge(app.config, "forge", "missing");
    expect(res.status).toBe(401);
    const h = res.headers.get("www-authenticate")!;
    expect(h).toContain(`resource_metadata="${protectedResourceMetadataUrl(app.config, "forge")}"`);
    expect(h).toContain('scope="forge:read forge:write"');
    expect(h).not.toContain("error=");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  test("invalid token: 401 error=invalid_token; insufficient scope: 403 naming every needed scope", async () => {
    const bad = bearerChallenge(app.config, "cavalier", "invalid_token");
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(((await bad.json()) as { error: string }).error).toBe("invalid_token");
    const scope = bearerChallenge(app.config, "cavalier", "insufficient_scope", {
      scopes: ["cavalier:read", "cavalier:write"],
    });
    expect(scope.status).toBe(403);
    const h = scope.headers.get("www-authenticate")!;
    expect(h).toContain('error="insufficient_scope"');
    expect(h).toContain('scope="cavalier:read cavalier:write"');
    expect(h).toContain("resource_metadata=");
  });
});

describe("JWKS", () => {
  test("publishes the ES256 public key only", async () => {
    const res = await fetch(`${app.baseUrl}/oauth/jwks`);
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBe(1);
    expect(keys[0]!.kty).toBe("EC");
    expect(keys[0]!.alg).toBe("ES256");
    expect(keys[0]!.kid).toBeTruthy();
    expect(keys[0]!.d).toBeUndefined();
  });
});
