import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startAppliance, type Appliance } from "../../../../src/appliance";
import { parseConfigText } from "../../../../src/config/load";
import { cookieHeader } from "../../../../src/oauth/session";
import { silentLogger } from "../../../../src/shared/log";
import { freePort, tempDir, testConfigToml, TEST_PASSWORD } from "../../../helpers/appliance";
import { CookieJar, formBody, hiddenInputs, pkcePair } from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

/**
 * Issue 3: "the sign-in session cookie is HttpOnly, Secure when public_url is https, SameSite=Lax". The appliance
 * runs with public_url https://mcp.example.test (as behind a TLS-terminating proxy) while the test talks plain
 * HTTP to its listener with that Host header; the OAuth pages build cookies from public_url, not the connection.
 */
const PUBLIC_URL = "https://mcp.example.test";
let appliance: Appliance;
let dir: string;
let base: string;

beforeAll(async () => {
  dir = tempDir();
  const publicPort = await freePort();
  const adminPort = await freePort();
  const parsed = parseConfigText(
    testConfigToml({ publicPort, adminPort, dbPath: join(dir, "cavaridge.db") }),
    "test.toml",
  );
  const config = { ...parsed, server: { ...parsed.server, public_url: PUBLIC_URL } };
  appliance = await startAppliance({ config, env: {}, log: silentLogger });
  base = `http://127.0.0.1:${appliance.publicPort}`;
});
afterAll(async () => {
  await appliance.stop();
  rmSync(dir, { recursive: true, force: true });
});

const behindProxy = (init: RequestInit = {}): RequestInit => ({
  ...init,
  redirect: "manual",
  headers: { ...(init.headers as Record<string, string>), host: "mcp.example.test", "x-forwarded-proto": "https" },
});

function attributes(setCookie: string): { name: string; attrs: Set<string> } {
  const [pair, ...rest] = setCookie.split(";").map((s) => s.trim());
  return { name: pair!.split("=")[0]!, attrs: new Set(rest.map((a) => a.split("=")[0]!.toLowerCase())) };
}

describe("sign-in cookies when public_url is https", () => {
  test("the session and CSRF cookies are __Host-, Secure, HttpOnly, SameSite=Lax, Path=/", async () => {
    const reg = await fetch(
      `${base}/oauth/register`,
      behindProxy({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ redirect_uris: ["http://127.0.0.1:9/callback"], token_endpoint_auth_method: "none" }),
      }),
    );
    expect(reg.status).toBe(201);
    const { client_id } = (await reg.json()) as { client_id: string };
    const q = new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: "http://127.0.0.1:9/callback",
      code_challenge: pkcePair().challenge,
      code_challenge_method: "S256",
      state: "s",
      scope: "cavalier:read",
      resource: `${PUBLIC_URL}/cavalier`,
    });
    const jar = new CookieJar();
    const page = await fetch(`${base}/oauth/authorize?${q}`, behindProxy());
    expect(page.status).toBe(200);
    jar.store(page);
    const csrfCookie = page.headers
      .getSetCookie()
      .map(attributes)
      .find((c) => c.name.includes("csrf"))!;
    expect(csrfCookie.name).toBe("__Host-cavaridge_csrf");
    expect([...csrfCookie.attrs].sort()).toEqual(expect.arrayContaining(["secure", "httponly", "samesite", "path"]));
    const html = await page.text();
    const signIn = await fetch(
      `${base}/oauth/authorize/sign-in`,
      behindProxy({
        ...formBody({ ...hiddenInputs(html), email: "admin@harbor-it.example", password: TEST_PASSWORD }),
        headers: { ...formBody({}).headers, cookie: jar.header() },
      }),
    );
    expect(signIn.status).toBe(303);
    const lines = signIn.headers.getSetCookie();
    const session = lines.find((l) => l.startsWith("__Host-cavaridge_session="));
    expect(session).toBeDefined();
    const { attrs } = attributes(session!);
    expect(attrs.has("secure")).toBe(true);
    expect(attrs.has("httponly")).toBe(true);
    expect(session).toContain("SameSite=Lax");
    expect(session).toContain("Path=/");
    expect(attrs.has("domain")).toBe(false); // __Host- cookies must not carry Domain
    expect(signIn.headers.get("location")!.startsWith(`${PUBLIC_URL}/oauth/authorize?`)).toBe(true);
  });
});

describe("cookieHeader", () => {
  const withUrl = (public_url: string) => ({ server: { public_url } }) as Parameters<typeof cookieHeader>[0];
  test("Secure and __Host- on https, neither on plain http (local development)", () => {
    expect(cookieHeader(withUrl("https://mcp.example.test"), "session", "v", 60)).toBe(
      "__Host-cavaridge_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure",
    );
    expect(cookieHeader(withUrl("http://127.0.0.1:8787"), "session", "v", 60)).toBe(
      "cavaridge_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60",
    );
  });
});
