import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { parseConfigText } from "../../../src/config/load";
import { cacheTtl } from "../../../src/oauth/cimd";
import type { OAuthError } from "../../../src/oauth/errors";
import { validateCodeChallenge, verifyCodeVerifier } from "../../../src/oauth/pkce";
import { parseResource, resolveSurface, resourceUrl } from "../../../src/oauth/resource";
import { baselineScopes, describeScope, surfaceOfScope } from "../../../src/oauth/scopes";

const config = parseConfigText(
  `[server]\npublic_url = "https://mcp.example.com"\n[surfaces]\naegis = false\n[[tenants]]\nid = "t1"\nname = "T"\nkind = "msp"\n`,
  "unit.toml",
);

const code = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as OAuthError).code;
  }
};

describe("parseResource (RFC 8707)", () => {
  test("canonical and tolerated variants", () => {
    expect(resourceUrl(config, "forge")).toBe("https://mcp.example.com/forge");
    for (const r of [
      "https://mcp.example.com/forge",
      "HTTPS://MCP.EXAMPLE.COM/forge",
      "https://mcp.example.com:443/forge",
      "https://mcp.example.com/forge/",
      "https://mcp.example.com/forge/mcp",
    ]) {
      expect(parseResource(config, r)).toEqual({ kind: "surface", surface: "forge" });
    }
    expect(parseResource(config, "https://mcp.example.com")).toEqual({ kind: "origin" });
    expect(parseResource(config, "https://mcp.example.com/")).toEqual({ kind: "origin" });
  });
  test("foreign, malformed, fragment, query, disabled surface -> invalid_target", () => {
    for (const r of [
      "https://evil.com/forge",
      "http://mcp.example.com/forge",
      "https://mcp.example.com/forge#x",
      "https://mcp.example.com/forge?x",
      "https://mcp.example.com/aegis",
      "https://mcp.example.com/FORGE",
      "forge",
      "",
      "https://mcp.example.com/forge/mcp/x",
    ]) {
      expect({ r, c: code(() => parseResource(config, r)) }).toEqual({ r, c: "invalid_target" });
    }
  });
  test("resolveSurface infers from single-surface scopes only", () => {
    expect(resolveSurface(config, null, ["forge:read"])).toBe("forge");
    expect(resolveSurface(config, "https://mcp.example.com", ["cavalier:write", "offline_access"])).toBe("cavalier");
    expect(code(() => resolveSurface(config, null, []))).toBe("invalid_target");
    expect(code(() => resolveSurface(config, null, ["forge:read", "cavalier:read"]))).toBe("invalid_target");
  });
});

describe("PKCE (RFC 7636)", () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  test("RFC 7636 Appendix B vector", () => {
    expect(challenge).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    expect(verifyCodeVerifier(verifier, challenge)).toBe(true);
  });
  test("wrong, short or missing verifiers fail", () => {
    expect(verifyCodeVerifier(verifier.replace("d", "e"), challenge)).toBe(false);
    expect(verifyCodeVerifier("short", challenge)).toBe(false);
    expect(verifyCodeVerifier(null, challenge)).toBe(false);
  });
  test("only S256 challenges are accepted", () => {
    expect(validateCodeChallenge(challenge, "S256")).toBe(challenge);
    expect(code(() => validateCodeChallenge(challenge, "plain"))).toBe("invalid_request");
    expect(code(() => validateCodeChallenge(challenge, null))).toBe("invalid_request");
    expect(code(() => validateCodeChallenge(null, "S256"))).toBe("invalid_request");
    expect(code(() => validateCodeChallenge("too-short", "S256"))).toBe("invalid_request");
  });
});

describe("scopes and cache lifetimes", () => {
  test("scope helpers", () => {
    expect(baselineScopes("cavalier")).toEqual(["cavalier:read", "cavalier:write"]);
    expect(surfaceOfScope("aegis:write")).toBe("aegis");
    expect(surfaceOfScope("offline_access")).toBeNull();
    expect(describeScope("forge:read")).toContain("Forge");
  });
  test("CIMD cache honours Cache-Control with a cap and never caches no-store", () => {
    expect(cacheTtl("max-age=60")).toBe(60_000);
    expect(cacheTtl("public, max-age=99999999")).toBe(24 * 3600_000);
    expect(cacheTtl("no-store")).toBe(0);
    expect(cacheTtl(null)).toBe(300_000);
  });
});

describe("sign-in cookies", () => {
  test("https public_url: __Host- prefix, Secure, HttpOnly, SameSite=Lax; http: no Secure", async () => {
    const { cookieHeader } = await import("../../../src/oauth/session");
    const https = cookieHeader(config, "session", "v", 60);
    expect(https.startsWith("__Host-cavaridge_session=v")).toBe(true);
    for (const attr of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) expect(https).toContain(attr);
    const httpConfig = { ...config, server: { ...config.server, public_url: "http://127.0.0.1:8787" } };
    const http = cookieHeader(httpConfig, "csrf", "v", 60);
    expect(http.startsWith("cavaridge_csrf=v")).toBe(true);
    expect(http).not.toContain("Secure");
  });
});

describe("public_url with a path prefix", () => {
  test("resources live under the prefix", () => {
    const prefixed = { ...config, server: { ...config.server, public_url: "https://host.example/cav" } };
    expect(resourceUrl(prefixed, "forge")).toBe("https://host.example/cav/forge");
    expect(parseResource(prefixed, "https://host.example/cav/forge/")).toEqual({ kind: "surface", surface: "forge" });
    expect(parseResource(prefixed, "https://host.example/cav")).toEqual({ kind: "origin" });
    expect(code(() => parseResource(prefixed, "https://host.example/forge"))).toBe("invalid_target");
    expect(code(() => parseResource(prefixed, "https://host.example/cavalier"))).toBe("invalid_target");
  });
});
