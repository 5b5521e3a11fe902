import { afterAll, beforeAll, beforeEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import type { TCPSocketListener } from "bun";
import { CIMD_FETCH_FAILED, CIMD_TIMEOUT_MS, isPublicAddress } from "../../../../src/oauth/cimd";
import { startTestAppliance, TEST_PASSWORD, type TestAppliance } from "../../../helpers/appliance";
import {
  authorizeViaForms,
  buildAuthorizeUrl,
  CookieJar,
  exchangeCode,
  fetchWithJar,
  formBody,
  hiddenInputs,
} from "../../../helpers/oauth";

// Real argon2id sign-ins over HTTP: generous per-test time when the machine is busy.
setDefaultTimeout(30_000);

/**
 * CIMD documents are served by a local fixture server. The appliance's fetch is injected: https URLs on the
 * fixture hosts are rewritten to the fixture's http port, and every outbound fetch is recorded so tests can
 * prove that refused client_ids were never fetched.
 */
type Doc = { status?: number; body?: string; headers?: Record<string, string> };
const docs = new Map<string, Doc>();
let fixture: ReturnType<typeof Bun.serve>;
const fetched: string[] = [];
const connectedTo: string[] = [];
let app: TestAppliance;

const CHATGPT_ID = "https://chatgpt.com/oauth/abc123/client.json";
const CHATGPT_REDIRECT = "https://chatgpt.com/connector/oauth/abc123";

function serveDoc(path: string, doc: object | Doc, headers: Record<string, string> = {}) {
  docs.set(
    path,
    "body" in doc || "status" in doc
      ? (doc as Doc)
      : { body: JSON.stringify(doc), headers: { "content-type": "application/json", ...headers } },
  );
}

let injected: typeof fetch;
const allowFixture = () =>
  app.oauth.cimd.configureNetwork({
    fetch: injected,
    resolve: async () => ["127.0.0.1"],
    isAllowedAddress: (a) => a === "127.0.0.1",
    timeoutMs: CIMD_TIMEOUT_MS,
  });

/** Answers headers promising 4000 bytes, sends a few, then closes the socket: a reset mid-body. */
let resetServer: TCPSocketListener;

/** A body that stalls after the headers. (The connection that dies mid-body is the raw TCP server below.) */
function misbehavingBody(path: string): Response | null {
  const head = new TextEncoder().encode('{"client_id": "');
  if (path === "/oauth/stall/client.json") {
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        c.enqueue(head);
        await Bun.sleep(60_000);
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  }
  return null;
}

beforeAll(async () => {
  fixture = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch(req) {
      const odd = misbehavingBody(new URL(req.url).pathname);
      if (odd) return odd;
      const d = docs.get(new URL(req.url).pathname);
      if (!d) return new Response("missing", { status: 404 });
      return new Response(d.body ?? "", {
        status: d.status ?? 200,
        headers: d.headers ?? { "content-type": "application/json" },
      });
    },
  });
  resetServer = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n\r\n{"client_id": "',
        );
        setTimeout(() => socket.terminate(), 50);
      },
    },
  });
  injected = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    // The appliance connects to the checked address (pinned) and names the host in Host / TLS SNI.
    connectedTo.push(url.hostname);
    fetched.push(`https://${new Headers(init?.headers).get("host")}${url.pathname}`);
    const port = url.pathname === "/oauth/reset/client.json" ? resetServer.port : fixture.port;
    return fetch(`http://127.0.0.1:${port}${url.pathname}`, init);
  }) as typeof fetch;
  app = await startTestAppliance({
    fetch: injected,
    extraToml: `[oauth]\ncimd_allowed_hosts = ["chatgpt.com", "claude.ai", "client.example"]\n`,
  });
});
afterAll(async () => {
  await app.close();
  fixture.stop(true);
  resetServer.stop(true);
});
beforeEach(() => {
  fetched.length = 0;
  connectedTo.length = 0;
  allowFixture();
});

const chatgptDoc = (id = CHATGPT_ID) => ({
  client_id: id,
  client_name: "ChatGPT",
  redirect_uris: [CHATGPT_REDIRECT],
  token_endpoint_auth_method: "private_key_jwt",
  token_endpoint_auth_methods_supported: ["none", "private_key_jwt"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  jwks_uri: "https://chatgpt.com/oauth/jwks.json",
});

describe("client ID metadata documents", () => {
  test("ChatGPT's live document shape negotiates `none` + PKCE and the whole flow completes", async () => {
    serveDoc("/oauth/abc123/client.json", chatgptDoc());
    const client = { client_id: CHATGPT_ID, redirect_uri: CHATGPT_REDIRECT };
    const { location, verifier } = await authorizeViaForms(app, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });
    expect(location.origin + location.pathname).toBe(CHATGPT_REDIRECT);
    const code = location.searchParams.get("code")!;
    const res = await exchangeCode(app, client, code, verifier);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    const access = await app.oauth.verifier.verify(body.access_token, "cavalier");
    expect(access.clientId).toBe(CHATGPT_ID);
    expect(access.clientName).toBe("ChatGPT");
    expect(fetched).toContain(CHATGPT_ID);
    expect(connectedTo).toContain("127.0.0.1");
    expect(connectedTo).not.toContain("chatgpt.com");
  });

  test("the consent page identifies a CIMD client by its URL, not as self-asserted", async () => {
    serveDoc("/oauth/abc123/client.json", chatgptDoc());
    const jar = new CookieJar();
    const page = await fetchWithJar(
      jar,
      buildAuthorizeUrl(app, { client_id: CHATGPT_ID, redirect_uri: CHATGPT_REDIRECT }),
    );
    const signed = await fetchWithJar(
      jar,
      `${app.baseUrl}/oauth/authorize/sign-in`,
      formBody({ ...hiddenInputs(await page.text()), email: "admin@harbor-it.example", password: TEST_PASSWORD }),
    );
    const consent = await (await fetchWithJar(jar, signed.headers.get("location")!)).text();
    expect(consent).toContain(`identified by ${CHATGPT_ID}`);
    expect(consent).not.toContain("not verified");
    expect(consent).toContain("chatgpt.com");
  });

  test("a document whose client_id differs from its URL is refused locally, no redirect", async () => {
    serveDoc("/oauth/liar/client.json", chatgptDoc("https://chatgpt.com/oauth/other/client.json"));
    const res = await fetch(
      buildAuthorizeUrl(app, {
        client_id: "https://chatgpt.com/oauth/liar/client.json",
        redirect_uri: CHATGPT_REDIRECT,
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("invalid_client");
  });

  test("a redirect_uri not in the document is refused locally", async () => {
    serveDoc("/oauth/abc123/client.json", chatgptDoc());
    const res = await fetch(
      buildAuthorizeUrl(app, { client_id: CHATGPT_ID, redirect_uri: "https://chatgpt.com/connector/oauth/other" }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  test("redirects are not followed, oversized and non-JSON documents are refused", async () => {
    docs.set("/oauth/redir/client.json", { status: 302, headers: { location: "http://10.0.0.1/x.json" } });
    docs.set("/oauth/big/client.json", {
      body: JSON.stringify({ ...chatgptDoc("https://chatgpt.com/oauth/big/client.json"), pad: "x".repeat(6000) }),
      headers: { "content-type": "application/json" },
    });
    docs.set("/oauth/html/client.json", { body: "<html></html>", headers: { "content-type": "text/html" } });
    for (const id of ["redir", "big", "html"]) {
      const res = await fetch(
        buildAuthorizeUrl(app, {
          client_id: `https://chatgpt.com/oauth/${id}/client.json`,
          redirect_uri: CHATGPT_REDIRECT,
        }),
        { redirect: "manual" },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
    expect(fetched.some((u) => u.includes("10.0.0.1"))).toBe(false);
  });

  test("bug: a body that stalls after the headers gave a 500; now a local invalid_client page within the timeout", async () => {
    app.oauth.cimd.configureNetwork({ timeoutMs: 300 });
    const started = Date.now();
    const res = await fetch(
      buildAuthorizeUrl(app, {
        client_id: "https://chatgpt.com/oauth/stall/client.json",
        redirect_uri: CHATGPT_REDIRECT,
      }),
      { redirect: "manual" },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    const html = await res.text();
    expect(html).toContain("invalid_client");
    expect(html).toContain(CIMD_FETCH_FAILED);
  });

  test("bug: a connection that dies mid-body gave a 500; now a local invalid_client page", async () => {
    const res = await fetch(
      buildAuthorizeUrl(app, {
        client_id: "https://chatgpt.com/oauth/reset/client.json",
        redirect_uri: CHATGPT_REDIRECT,
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain(CIMD_FETCH_FAILED);
  });

  test("every fetch failure shows the caller one generic message, so the fetcher cannot probe internal services", async () => {
    app.oauth.cimd.configureNetwork({ timeoutMs: 300 });
    docs.set("/oauth/redir/client.json", { status: 302, headers: { location: "http://10.0.0.1/x.json" } });
    docs.set("/oauth/e500/client.json", { status: 500, body: "internal detail: db=10.0.0.5" });
    docs.set("/oauth/big/client.json", { body: "x".repeat(6000), headers: { "content-type": "application/json" } });
    docs.set("/oauth/html/client.json", { body: "<html></html>", headers: { "content-type": "text/html" } });
    docs.set("/oauth/badjson/client.json", { body: "{not json", headers: { "content-type": "application/json" } });
    const cases: [string, () => void][] = [
      ["redir", allowFixture],
      ["e500", allowFixture],
      ["missing", allowFixture],
      ["big", allowFixture],
      ["html", allowFixture],
      ["badjson", allowFixture],
      ["stall", () => app.oauth.cimd.configureNetwork({ timeoutMs: 300 })],
      ["reset", allowFixture],
      [
        "unresolvable",
        () => app.oauth.cimd.configureNetwork({ resolve: async () => Promise.reject(new Error("ENOTFOUND")) }),
      ],
      [
        "private",
        () =>
          app.oauth.cimd.configureNetwork({
            resolve: async () => ["10.0.0.5"],
            isAllowedAddress: isPublicAddress,
          }),
      ],
      [
        "refused",
        () =>
          app.oauth.cimd.configureNetwork({
            fetch: (async () => Promise.reject(new TypeError("ECONNREFUSED 10.0.0.5:443"))) as unknown as typeof fetch,
          }),
      ],
    ];
    const pages = new Map<string, string>();
    for (const [id, setup] of cases) {
      allowFixture();
      setup();
      const res = await fetch(
        buildAuthorizeUrl(app, {
          client_id: `https://chatgpt.com/oauth/${id}/client.json`,
          redirect_uri: CHATGPT_REDIRECT,
        }),
        { redirect: "manual" },
      );
      expect({ id, status: res.status, location: res.headers.get("location") }).toEqual({
        id,
        status: 400,
        location: null,
      });
      pages.set(id, await res.text());
    }
    const first = pages.get("redir")!;
    expect(first).toContain(CIMD_FETCH_FAILED);
    for (const [id, html] of pages) {
      expect({ id, same: html === first }).toEqual({ id, same: true });
      for (const leak of [
        "10.0.0",
        "500",
        "redirect",
        "private",
        "timed out",
        "JSON",
        "ENOTFOUND",
        "ECONNREFUSED",
        "bytes",
      ]) {
        expect({ id, leak, shown: html.includes(leak) }).toEqual({ id, leak, shown: false });
      }
    }
    allowFixture();
  });

  test("bug: a document with a non-canonical redirect URI was accepted; now refused locally", async () => {
    for (const [n, uri] of [
      ["a", "https:chatgpt.com/connector/oauth/abc123"],
      ["b", "HTTPS://ChatGPT.com/connector/oauth/abc123"],
      ["c", "https:/chatgpt.com/connector/oauth/abc123"],
    ] as const) {
      const id = `https://chatgpt.com/oauth/noncanon-${n}/client.json`;
      serveDoc(`/oauth/noncanon-${n}/client.json`, { ...chatgptDoc(id), redirect_uris: [uri] });
      const res = await fetch(buildAuthorizeUrl(app, { client_id: id, redirect_uri: uri }), { redirect: "manual" });
      expect({ uri, status: res.status, location: res.headers.get("location") }).toEqual({
        uri,
        status: 400,
        location: null,
      });
      expect(await res.text()).toContain("canonical");
    }
  });

  test("secret-based documents are refused", async () => {
    serveDoc("/oauth/secret/client.json", {
      ...chatgptDoc("https://chatgpt.com/oauth/secret/client.json"),
      token_endpoint_auth_method: "client_secret_basic",
      token_endpoint_auth_methods_supported: ["client_secret_basic"],
    });
    const res = await fetch(
      buildAuthorizeUrl(app, {
        client_id: "https://chatgpt.com/oauth/secret/client.json",
        redirect_uri: CHATGPT_REDIRECT,
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
  });

  test("hosts outside cimd_allowed_hosts are invalid_client without any fetch", async () => {
    const res = await fetch(
      buildAuthorizeUrl(app, {
        client_id: "https://evil.example/client.json",
        redirect_uri: "https://evil.example/cb",
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("invalid_client");
    expect(fetched).toEqual([]);
  });

  test("the real address guard refuses loopback, link-local metadata and private addresses before fetching", async () => {
    for (const address of [
      "127.0.0.1",
      "169.254.169.254",
      "10.0.0.1",
      "192.168.1.5",
      "::1",
      "::ffff:127.0.0.1",
      "fd00::1",
    ]) {
      app.oauth.cimd.configureNetwork({ resolve: async () => [address], isAllowedAddress: isPublicAddress });
      serveDoc("/oauth/abc123/client.json", chatgptDoc());
      const res = await fetch(buildAuthorizeUrl(app, { client_id: CHATGPT_ID, redirect_uri: CHATGPT_REDIRECT }), {
        redirect: "manual",
      });
      expect({ address, status: res.status }).toEqual({ address, status: 400 });
      expect(res.headers.get("location")).toBeNull();
    }
    // A resolver answer that mixes a public and a private address is refused too (rebinding set-up).
    app.oauth.cimd.configureNetwork({
      resolve: async () => ["93.184.216.34", "127.0.0.1"],
      isAllowedAddress: isPublicAddress,
    });
    expect(
      (
        await fetch(buildAuthorizeUrl(app, { client_id: CHATGPT_ID, redirect_uri: CHATGPT_REDIRECT }), {
          redirect: "manual",
        })
      ).status,
    ).toBe(400);
    expect(fetched).toEqual([]);
  });

  test("http client_ids are not fetched", async () => {
    const res = await fetch(
      buildAuthorizeUrl(app, {
        client_id: "http://chatgpt.com/oauth/abc123/client.json",
        redirect_uri: CHATGPT_REDIRECT,
      }),
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
    expect(fetched).toEqual([]);
  });

  test("successful documents are cached per Cache-Control; failures are not cached", async () => {
    docs.set("/oauth/flaky/client.json", { status: 500, body: "down" });
    const id = "https://chatgpt.com/oauth/flaky/client.json";
    const url = buildAuthorizeUrl(app, { client_id: id, redirect_uri: CHATGPT_REDIRECT });
    expect((await fetch(url, { redirect: "manual" })).status).toBe(400);
    serveDoc("/oauth/flaky/client.json", chatgptDoc(id), { "cache-control": "max-age=600" });
    expect((await fetch(url, { redirect: "manual" })).status).toBe(200);
    expect((await fetch(url, { redirect: "manual" })).status).toBe(200);
    expect(fetched.filter((u) => u === id).length).toBe(2);
  });

  test("a CIMD client authenticates at the token endpoint as a public client only", async () => {
    serveDoc("/oauth/abc123/client.json", chatgptDoc());
    const res = await fetch(
      `${app.baseUrl}/oauth/token`,
      formBody({ grant_type: "authorization_code", code: "x", client_id: CHATGPT_ID, client_secret: "nope" }),
    );
    expect(res.status).toBe(401);
  });
});

describe("isPublicAddress", () => {
  test("classifies addresses", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "::ffff:10.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "224.0.0.1",
      "garbage",
    ]) {
      expect({ a, pub: isPublicAddress(a) }).toEqual({ a, pub: false });
    }
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect({ a, pub: isPublicAddress(a) }).toEqual({ a, pub: true });
    }
  });
});

describe("administrator removal of a CIMD client", () => {
  test("a deleted metadata-document client stays blocked, even while its document is cached", async () => {
    const { oauthClients } = await import("../../../../src/store/schema/oauth");
    const { eq } = await import("drizzle-orm");
    const id = "https://chatgpt.com/oauth/blocked/client.json";
    serveDoc("/oauth/blocked/client.json", chatgptDoc(id), { "cache-control": "max-age=600" });
    const url = buildAuthorizeUrl(app, { client_id: id, redirect_uri: CHATGPT_REDIRECT });
    expect((await fetch(url, { redirect: "manual" })).status).toBe(200);
    await app.ctx.store.db.update(oauthClients).set({ deletedAt: Date.now() }).where(eq(oauthClients.id, id));
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("removed by an administrator");
  });
});
