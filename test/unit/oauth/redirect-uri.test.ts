import { describe, expect, test } from "bun:test";
import { OAuthError } from "../../../src/oauth/errors";
import { matchRedirectUri, validateRegisteredRedirectUri } from "../../../src/oauth/redirect-uri";

describe("validateRegisteredRedirectUri", () => {
  test("accepts https and loopback http", () => {
    for (const u of [
      "https://claude.ai/api/mcp/auth_callback",
      "http://localhost/callback",
      "http://127.0.0.1:8080/cb",
      "http://[::1]:9/cb",
      "https://app.example/cb?x=1",
    ]) {
      expect(validateRegisteredRedirectUri(u)).toBe(u);
    }
  });
  test("refuses dangerous URIs with invalid_redirect_uri", () => {
    for (const u of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "data:text/html,x",
      "http://evil.com/cb",
      "https://a@evil.com",
      "https://a:b@evil.com/",
      "https://@evil.com",
      "https://x.example/cb#f",
      " https://x.example/cb",
      "https://x.example/\tcb",
      "https:\\\\evil.com",
      "file:///etc/passwd",
      "http://localhost.evil.com/cb",
      "http://127.0.0.1.nip.io/cb",
    ]) {
      try {
        validateRegisteredRedirectUri(u);
        throw new Error(`accepted ${u}`);
      } catch (err) {
        expect(err).toBeInstanceOf(OAuthError);
        expect((err as OAuthError).code).toBe("invalid_redirect_uri");
      }
    }
  });
});

describe("validateRegisteredRedirectUri: canonical form only (validated parsed, stored raw)", () => {
  // Regression: these parse to a valid https/loopback URL, so they passed validation, but the raw string was
  // stored and is not the URI that was checked.
  test.each([
    ["scheme without slashes", "https:evil.com/cb"],
    ["scheme with one slash", "https:/evil.com/cb"],
    ["loopback without slashes", "http:localhost/cb"],
    ["upper-case scheme and host", "HTTPS://Evil.com/cb"],
    ["upper-case host", "https://Claude.ai/api/mcp/auth_callback"],
    ["no path", "https://app.example"],
    ["default port spelled out", "https://app.example:443/cb"],
    ["dot segments", "https://app.example/a/../cb"],
    ["unencoded space in query", "https://app.example/cb?a=b c"],
    ["three slashes", "https:///evil.com/cb"],
  ])("refuses %s: %s", (_name, uri) => {
    expect(() => validateRegisteredRedirectUri(uri)).toThrow(OAuthError);
    try {
      validateRegisteredRedirectUri(uri);
    } catch (err) {
      expect((err as OAuthError).code).toBe("invalid_redirect_uri");
    }
  });
  test("canonical forms of the real callbacks pass unchanged", () => {
    for (const u of [
      "https://claude.ai/api/mcp/auth_callback",
      "https://chatgpt.com/connector/oauth/abc",
      "http://localhost:53123/callback",
      "http://[::1]/cb",
      "https://app.example/cb?x=1&y=%20",
    ]) {
      expect(validateRegisteredRedirectUri(u)).toBe(u);
    }
  });
});

describe("matchRedirectUri (exact, loopback any port per RFC 8252 §7.3)", () => {
  const registered = [
    "https://claude.ai/api/mcp/auth_callback",
    "http://localhost/callback",
    "http://127.0.0.1/cb?x=1",
  ];
  test("exact matches", () => {
    expect(matchRedirectUri("https://claude.ai/api/mcp/auth_callback", registered)).toBe(
      "https://claude.ai/api/mcp/auth_callback",
    );
  });
  test("loopback: any port, same host, path and query", () => {
    expect(matchRedirectUri("http://localhost:53123/callback", registered)).toBe("http://localhost:53123/callback");
    expect(matchRedirectUri("http://127.0.0.1:4000/cb?x=1", registered)).toBe("http://127.0.0.1:4000/cb?x=1");
  });
  test("near misses never match", () => {
    for (const u of [
      "http://localhost.evil.com:53123/callback",
      "http://127.0.0.1:53123/callback",
      "http://localhost:53123/callback/",
      "http://localhost:53123/other",
      "https://localhost:53123/callback",
      "http://user@localhost:53123/callback",
      "http://localhost:53123/callback#x",
      "https://claude.ai/api/mcp/auth_callback/",
      "https://CLAUDE.ai/api/mcp/auth_callback",
      "https://claude.ai:443/api/mcp/auth_callback?",
      "http://127.0.0.1:4000/cb?x=2",
    ]) {
      expect({ u, m: matchRedirectUri(u, registered) }).toEqual({ u, m: null });
    }
  });
});
