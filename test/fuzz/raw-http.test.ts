import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { RouteInfo } from "../../src/appliance";
import { aegisTools } from "../../src/surfaces/aegis/index";
import { cavalierTools } from "../../src/surfaces/cavalier/index";
import { forgeTools } from "../../src/surfaces/forge/index";
import { signInAdmin } from "../integration/admin/admin-session";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance";
import { obtainTokens } from "../helpers/oauth";
import { type OneShotResult, sendOnce } from "../helpers/raw-http";

/**
 * Hostile-input fuzzing of both listeners over raw TCP (node:net), because fetch cannot send a malformed Host,
 * request line or header. Seeded fast-check generates requests for every route of each listener: odd methods,
 * targets and versions, malformed and hostile Hosts, random and hostile headers (with real bearer tokens, admin
 * API tokens and admin session cookies among them), JSON-RPC, forms and random bytes as bodies, and broken framing
 * (Content-Length and chunked encoding that lie or conflict).
 *
 * The rule each request is held to:
 * - an answer (its status line) arrives within 5 s;
 * - the answer is never 5xx;
 * - exceptions, both decided by Bun's own HTTP parser before any appliance code runs: when the request line itself
 *   cannot be parsed (unknown or lower-case method, bad target characters, a version other than HTTP/1.0 or 1.1,
 *   bare-LF line ends, random bytes) Bun may answer 505 (or 4xx) or close the connection without an answer; and
 *   when the client never finishes its message (a Content-Length longer than the body, a chunked body without its
 *   last chunk) and then half-closes, Bun closes the connection without an answer. Complete messages are sent
 *   without a half-close (Bun takes one as an abort of the request in flight).
 *
 * FUZZ_SEED and FUZZ_RUNS override the seed and the number of requests per listener (3,000 by default, never fewer
 * than 2,000); a failure prints the request's index and its first bytes, and the same seed replays it.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const RUNS = Math.max(2000, Number(process.env.FUZZ_RUNS ?? 3000));
const CONCURRENCY = 6;
const HANG_MS = 5000;

const KNOWN_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
const BAD_METHODS = ["FOO", "get", "TRACE", "CONNECT", "", "G ET", "PRI", "GET\0"];
const MALFORMED_HOSTS = [
  "@|",
  "a b",
  "[::1",
  "127.0.0.1:99999",
  "127.0.0.1:-1",
  "%",
  "x:y:z",
  "a/b",
  "a?b",
  "a#b",
  "\\\\",
  "",
  "evil.example",
  "user@127.0.0.1",
  "[::1]:0",
  "xn--",
  "127.0.0.1:80:80",
  "\0",
  "é.example",
  ".",
  "localhost.",
];
const QUERY_KEYS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "resource",
  "next",
  "cursor",
  "surface",
  "range",
  "outcome",
  "tenant",
  "notice",
  "q",
  "format",
  "limit",
];
const FORM_KEYS = [
  "csrf",
  "csrf_token",
  "email",
  "password",
  "next",
  "decision",
  "binding",
  "name",
  "client_id",
  "tenant_id",
  "grant_type",
  "code",
  "code_verifier",
  "redirect_uri",
  "refresh_token",
  "token",
  "token_type_hint",
  "client_secret",
  "resource",
  "scope",
];
const MCP_METHODS = [
  "initialize",
  "notifications/initialized",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "prompts/list",
  "logging/setLevel",
  "completion/complete",
  "nope",
];
const TOOL_NAMES = [...cavalierTools, ...aegisTools, ...forgeTools].map((t) => t.name);

interface Credentials {
  /** Access tokens, one per surface. */
  bearer: Record<string, string>;
  adminToken: string;
  adminCookie: string;
  csrf: string;
}

interface Fuzzed {
  raw: Buffer;
  method: string;
  route: string;
  /** The request line is one Bun's parser accepts. */
  lineOk: boolean;
  /** The client sent its whole message (the body is not cut short). */
  complete: boolean;
}

/** Mostly visible ASCII, sometimes any code point (controls and NUL included); never CR or LF, which would frame. */
const printable = (max: number) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: max, unit: "grapheme-ascii" }) },
      { weight: 1, arbitrary: fc.string({ maxLength: max, unit: "binary" }) },
    )
    .map((s) => s.replace(/[\r\n]/g, ""));

const hostile = fc
  .array(
    fc.constantFrom(
      "/",
      "\\",
      ".",
      "..",
      "%2f",
      "%5c",
      "%2e",
      "%00",
      "%ff",
      "%",
      "@",
      ":",
      "?",
      "#",
      "//",
      "javascript:",
      "evil.example",
      "<script>",
      "'",
      '"',
      "\u0000",
      "\ud800",
      "😀",
      "a".repeat(300),
    ),
    { maxLength: 6 },
  )
  .map((p) => p.join(""));

const anyText = fc.oneof(fc.string({ maxLength: 30 }), hostile, fc.constantFrom("x", "1", "0", "-1", "null", ""));

/** A path parameter: usually percent-encoded, sometimes raw (which may break the request line). */
const paramValue = fc.oneof(
  { weight: 6, arbitrary: anyText.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "x"))) },
  { weight: 2, arbitrary: fc.constantFrom("x", "1", "cl_x", "aud_1", "grt_x", "tok_x", "%2e%2e", "%00", "..", ".") },
  { weight: 1, arbitrary: printable(12) },
);

function targetFor(route: string): fc.Arbitrary<string> {
  const path = route.includes(":") || route.includes("*") ? route : null;
  const pathArb = path
    ? fc.array(paramValue, { minLength: 4, maxLength: 4 }).map((vals) => {
        let i = 0;
        return route.replace(/:[A-Za-z_]+|\*/g, () => vals[i++ % vals.length] ?? "x");
      })
    : fc.constant(route);
  const query = fc.oneof(
    { weight: 4, arbitrary: fc.constant("") },
    {
      weight: 4,
      arbitrary: fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), anyText), { maxLength: 5 }).map((pairs) => {
        const q = new URLSearchParams();
        for (const [k, v] of pairs) q.append(k, v.replace(/[\ud800-\udfff]/g, "x"));
        const s = q.toString();
        return s ? `?${s}` : "";
      }),
    },
    { weight: 1, arbitrary: printable(20).map((s) => `?${s}`) },
  );
  return fc.oneof(
    { weight: 20, arbitrary: fc.tuple(pathArb, query).map(([p, q]) => p + q) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("*", "//evil.example/x", "/%", "http://evil.example/healthz", "/..", "/./healthz"),
    },
    { weight: 1, arbitrary: pathArb.map((p) => `http://127.0.0.1${p}`) },
  );
}

function headerArb(port: number, creds: Credentials): fc.Arbitrary<[string, string]> {
  const value = (known: string[]) =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: printable(40) });
  return fc.oneof(
    fc.tuple(
      fc.constant("Content-Type"),
      value([
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=fuzz",
        "multipart/form-data",
        "text/plain",
        "application/json; charset=utf-16",
      ]),
    ),
    fc.tuple(
      fc.constant("Authorization"),
      value([
        ...Object.values(creds.bearer).map((t) => `Bearer ${t}`),
        `Bearer ${creds.adminToken}`,
        "Bearer junk",
        "Bearer ",
        "Basic Zm9vOmJhcg==",
        "DPoP x",
        `bearer ${creds.bearer.cavalier}`,
      ]),
    ),
    fc.tuple(
      fc.constant("Cookie"),
      value([creds.adminCookie, "cavaridge_admin=junk", "cavaridge_csrf=x; cavaridge_session=y", "=;;=", "a"]),
    ),
    fc.tuple(fc.constant("X-CSRF-Token"), value([creds.csrf, "junk"])),
    fc.tuple(fc.constant("Origin"), value(["null", `http://127.0.0.1:${port}`, "http://evil.example", "file://"])),
    fc.tuple(
      fc.constant("Accept"),
      value(["application/json, text/event-stream", "text/event-stream", "application/json", "*/*", ""]),
    ),
    fc.tuple(fc.constant("MCP-Protocol-Version"), value(["2025-06-18", "2025-03-26", "2024-11-05", "2099-01-01"])),
    fc.tuple(fc.constant("Mcp-Session-Id"), value(["x", "00000000-0000-0000-0000-000000000000"])),
    fc.tuple(fc.constant("X-Forwarded-For"), value(["1.2.3.4", "::1", "a, b, c", ""])),
    fc.tuple(fc.constant("X-Forwarded-Proto"), value(["https", "http", "gopher"])),
    fc.tuple(fc.constant("X-Forwarded-Host"), value(["evil.example", "@|"])),
    fc.tuple(fc.constant("X-Request-Id"), value(["abcdefgh12345678", ""])),
    fc.tuple(fc.constant("Expect"), value(["100-continue"])),
    fc.tuple(fc.constant("Range"), value(["bytes=0-1", "bytes=-1"])),
    fc.tuple(fc.constantFrom("X-Fuzz", "If-None-Match", "Referer", "User-Agent", "Accept-Encoding"), printable(60)),
  );
}

/** A JSON-RPC message for an MCP surface: mostly real methods and tool names, with random and hostile arguments. */
const rpc = fc
  .record({
    jsonrpc: fc.oneof({ weight: 12, arbitrary: fc.constant<string | number>("2.0") }, fc.constantFrom("1.0", 2)),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant("tools/call") },
      { weight: 5, arbitrary: fc.constantFrom(...MCP_METHODS) },
      { weight: 1, arbitrary: anyText },
    ),
    params: fc.oneof(
      fc.record({
        name: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...TOOL_NAMES) }, { weight: 1, arbitrary: anyText }),
        arguments: fc.oneof(
          fc.dictionary(
            fc.constantFrom("tenant_id", "tenant", "quote_id", "deal_id", "cursor", "query", "title", "id", "lines"),
            fc.jsonValue({ maxDepth: 2 }),
            { maxKeys: 4 },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      }),
      fc.record({
        protocolVersion: fc.constantFrom("2025-06-18", "2025-03-26", "x"),
        capabilities: fc.constant({}),
        clientInfo: fc.record({ name: anyText, version: anyText }),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  })
  .map((m) => JSON.stringify(m));

function bodyArb(creds: Credentials): fc.Arbitrary<Buffer> {
  const form = fc
    .array(fc.tuple(fc.constantFrom(...FORM_KEYS), anyText), { maxLength: 8 })
    .map((pairs) => new URLSearchParams(pairs.map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, "x")])).toString());
  return fc.oneof(
    { weight: 80, arbitrary: fc.constant(Buffer.alloc(0)) },
    { weight: 120, arbitrary: rpc.map((s) => Buffer.from(s)) },
    { weight: 20, arbitrary: fc.array(rpc, { maxLength: 3 }).map((a) => Buffer.from(`[${a.join(",")}]`)) },
    { weight: 60, arbitrary: form.map((s) => Buffer.from(s)) },
    { weight: 60, arbitrary: form.map((s) => Buffer.from(`csrf=${creds.csrf}&${s}`)) },
    { weight: 40, arbitrary: fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)) },
    {
      weight: 20,
      arbitrary: fc.constantFrom("{", "[", '{"jsonrpc":"2.0"', "\0", "null", '""').map((s) => Buffer.from(s)),
    },
    { weight: 40, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    {
      weight: 20,
      arbitrary: fc
        .constantFrom('--fuzz\r\nContent-Disposition: form-data; name="email"\r\n\r\nx\r\n--fuzz--\r\n', "--fuzz\r\n")
        .map((s) => Buffer.from(s)),
    },
    // Just over the 1 MiB cap (413), rarely: these are slow to send.
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(1024 * 1024 + 10, "a")) },
  );
}

type Framing =
  | "length"
  | "none"
  | "chunked"
  | "short"
  | "long"
  | "junk"
  | "conflict"
  | "bad-chunk"
  | "cut-chunk"
  | "te+cl";

function frame(framing: Framing, body: Buffer): { headers: string[]; payload: Buffer; complete: boolean } {
  const chunked = (b: Buffer) =>
    Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n0\r\n\r\n")]);
  switch (framing) {
    case "length":
      return { headers: [`Content-Length: ${body.length}`], payload: body, complete: true };
    case "none":
      return { headers: [], payload: body, complete: true };
    case "chunked":
      return { headers: ["Transfer-Encoding: chunked"], payload: chunked(body), complete: true };
    case "short":
      return { headers: [`Content-Length: ${Math.floor(body.length / 2)}`], payload: body, complete: true };
    case "long":
      return { headers: [`Content-Length: ${body.length + 10}`], payload: body, complete: false };
    case "junk":
      return { headers: ["Content-Length: 1e3"], payload: body, complete: true };
    case "conflict":
      return {
        headers: [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`],
        payload: body,
        complete: true,
      };
    case "bad-chunk":
      return {
        headers: ["Transfer-Encoding: chunked"],
        payload: Buffer.concat([Buffer.from("zz\r\n"), body, Buffer.from("\r\n0\r\n\r\n")]),
        complete: true,
      };
    case "cut-chunk":
      return {
        headers: ["Transfer-Encoding: chunked"],
        payload: Buffer.concat([Buffer.from(`${(body.length + 5).toString(16)}\r\n`), body]),
        complete: false,
      };
    case "te+cl":
      return {
        headers: ["Transfer-Encoding: chunked", `Content-Length: ${body.length}`],
        payload: chunked(body),
        complete: true,
      };
  }
}

/**
 * The headers a legitimate client would send to this route, so that a good share of the fuzzed requests gets past
 * the first checks (token, content type, CSRF) into the handlers and tools behind them.
 */
function baselineHeaders(path: string, method: string, creds: Credentials): [string, string][] {
  const surface = /^\/(cavalier|aegis|forge)(\/|$)/.exec(path)?.[1];
  if (surface) {
    return [
      ["Content-Type", "application/json"],
      ["Accept", "application/json, text/event-stream"],
      ["Authorization", `Bearer ${creds.bearer[surface]}`],
    ];
  }
  if (path.startsWith("/api/")) return [["Authorization", `Bearer ${creds.adminToken}`]];
  // Signing the fuzzer's own admin session out would leave the rest of the run unauthenticated.
  if (path === "/sign-out") return [];
  const form: [string, string][] = method === "GET" ? [] : [["Content-Type", "application/x-www-form-urlencoded"]];
  if (
    path.startsWith("/oauth/") ||
    path.startsWith("/.well-known/") ||
    /^\/(token|register|revoke|authorize)$/.test(path)
  )
    return form;
  return [["Cookie", creds.adminCookie], ["X-CSRF-Token", creds.csrf], ...form];
}

function requestArb(port: number, routes: RouteInfo[], creds: Credentials): fc.Arbitrary<Fuzzed> {
  const extra: RouteInfo[] = ["/", "/nope", "/.well-known/nope", "/cavalier/mcp/x"].map((path) => ({
    method: "GET",
    path,
  }));
  return fc
    .record({
      route: fc.constantFrom(...routes, ...extra),
      methodChoice: fc.oneof(
        { weight: 10, arbitrary: fc.constant<string | null>(null) },
        { weight: 3, arbitrary: fc.constantFrom(...KNOWN_METHODS) },
        { weight: 1, arbitrary: fc.constantFrom(...BAD_METHODS) },
      ),
      version: fc.oneof(
        { weight: 30, arbitrary: fc.constant("HTTP/1.1") },
        { weight: 3, arbitrary: fc.constant("HTTP/1.0") },
        { weight: 1, arbitrary: fc.constantFrom("HTTP/2.0", "HTTP/1.2", "HTTX/1.1", "", "HTTP/1.1 x", "http/1.1") },
      ),
      host: fc.oneof(
        { weight: 12, arbitrary: fc.constant<string | null>(`127.0.0.1:${port}`) },
        { weight: 1, arbitrary: fc.constantFrom("localhost", "[::1]", `localhost:${port}`) },
        { weight: 4, arbitrary: fc.constantFrom(...MALFORMED_HOSTS) },
        { weight: 2, arbitrary: printable(24) },
        { weight: 1, arbitrary: fc.constant<string | null>(null) },
      ),
      duplicateHost: fc.boolean(),
      baseline: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      headers: fc.array(headerArb(port, creds), { maxLength: 6 }),
      // Header lines Bun's parser refuses (400): no colon, a space in the name, folding, a NUL in the value.
      badHeaderLine: fc.oneof(
        { weight: 15, arbitrary: fc.constant<string | null>(null) },
        {
          weight: 1,
          arbitrary: fc.constantFrom("NoColonHere", "Bad Name: x", " Leading: x", "X-Fold: a\r\n b", "X-Nul: a\0b"),
        },
      ),
      body: bodyArb(creds),
      rpcBody: fc.oneof(
        { weight: 12, arbitrary: rpc },
        { weight: 1, arbitrary: fc.array(rpc, { minLength: 1, maxLength: 3 }).map((a) => `[${a.join(",")}]`) },
      ),
      framing: fc.oneof(
        { weight: 20, arbitrary: fc.constant<Framing>("length") },
        { weight: 3, arbitrary: fc.constant<Framing>("none") },
        { weight: 3, arbitrary: fc.constant<Framing>("chunked") },
        {
          weight: 3,
          arbitrary: fc.constantFrom<Framing>("short", "long", "junk", "conflict", "bad-chunk", "cut-chunk", "te+cl"),
        },
      ),
      lineEnd: fc.oneof({ weight: 40, arbitrary: fc.constant("\r\n") }, { weight: 1, arbitrary: fc.constant("\n") }),
      garbage: fc.oneof(
        { weight: 60, arbitrary: fc.constant<Uint8Array | null>(null) },
        { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }) },
      ),
    })
    .chain((r) =>
      targetFor(r.route.path).map((target): Fuzzed => {
        const routeMethod = r.route.method === "ALL" ? "POST" : r.route.method;
        const method = r.methodChoice ?? routeMethod;
        if (r.garbage) {
          // Random bytes may well be the start of a request line the server is still waiting to see the end of.
          return { raw: Buffer.from(r.garbage), method, route: r.route.path, lineOk: false, complete: false };
        }
        const toSurface = r.baseline && /^\/(cavalier|aegis|forge)(\/mcp)?$/.test(r.route.path);
        const body = toSurface ? Buffer.from(r.rpcBody) : r.body;
        const { headers: framingHeaders, payload, complete } = frame(r.framing, body);
        const lines = [`${method} ${target} ${r.version}`];
        if (r.host !== null) lines.push(`Host: ${r.host}`);
        if (r.host !== null && r.duplicateHost) lines.push("Host: evil.example");
        const baseline = r.baseline ? baselineHeaders(r.route.path, method, creds) : [];
        for (const [name, value] of [...baseline, ...r.headers]) lines.push(`${name}: ${value}`);
        if (r.badHeaderLine) lines.push(r.badHeaderLine);
        lines.push(...framingHeaders);
        const head = Buffer.from(`${lines.join(r.lineEnd)}${r.lineEnd}${r.lineEnd}`, "utf8");
        const lineOk =
          KNOWN_METHODS.includes(method) &&
          /^[\x21-\x7e]+$/.test(target) &&
          (r.version === "HTTP/1.1" || r.version === "HTTP/1.0") &&
          r.lineEnd === "\r\n";
        return { raw: Buffer.concat([head, payload]), method, route: r.route.path, lineOk, complete };
      }),
    );
}

/** Why `result` breaks the rule for `req`, or null when it keeps it. */
function violation(req: Fuzzed, result: OneShotResult): string | null {
  if (result.kind === "timeout") return `no answer within ${HANG_MS} ms`;
  if (result.kind === "closed") {
    return req.lineOk && req.complete ? `connection closed without an answer (${result.error ?? "FIN"})` : null;
  }
  if (result.status === -1) return "not an HTTP response";
  if (result.status >= 500 && !(result.status === 505 && !req.lineOk)) return `answered ${result.status}`;
  return null;
}

async function fuzzListener(port: number, routes: RouteInfo[], creds: Credentials, seed: number) {
  const requests = fc.sample(requestArb(port, routes, creds), { seed, numRuns: RUNS });
  const failures: string[] = [];
  const statuses = new Map<string, number>();
  const byRoute = new Map<string, number>();
  const examples = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const req = requests[i];
      if (!req) return;
      const result = await sendOnce(port, req.raw, HANG_MS, {
        method: req.method,
        halfCloseAfterMs: req.complete ? undefined : 200,
        body: Boolean(process.env.FUZZ_VERBOSE),
      });
      const key = result.kind === "response" ? String(result.status) : result.kind;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (process.env.FUZZ_VERBOSE) {
        const rk = `${req.route} ${req.lineOk && req.complete ? "ok" : "bad"} ${key}`;
        byRoute.set(rk, (byRoute.get(rk) ?? 0) + 1);
        if (result.kind === "response" && !examples.has(rk)) examples.set(rk, result.body.slice(0, 160));
      }
      const why = violation(req, result);
      if (why)
        failures.push(
          `#${i} ${why}: ${JSON.stringify(req.raw.subarray(0, process.env.FUZZ_VERBOSE ? 5000 : 400).toString("latin1"))}`,
        );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (process.env.FUZZ_VERBOSE)
    console.log(
      [...byRoute]
        .sort()
        .map(([k, v]) => `${k}: ${v} ${JSON.stringify(examples.get(k) ?? "")}`)
        .join("\n"),
    );
  return { requests, failures, statuses };
}

let app: TestAppliance;
let creds: Credentials;
beforeAll(async () => {
  app = await startTestAppliance();
  const bearer: Record<string, string> = {};
  for (const surface of ["cavalier", "aegis", "forge"] as const) {
    bearer[surface] = (await obtainTokens(app, { email: "admin@harbor-it.example", surface })).access_token;
  }
  const admin = await signInAdmin(app, "platform@harbor-it.example");
  creds = {
    bearer,
    adminToken: await admin.createApiToken("fuzz"),
    adminCookie: `cavaridge_admin=${admin.jar.get("cavaridge_admin")}`,
    csrf: admin.csrf,
  };
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe("raw TCP fuzzing: no 5xx, no hang", () => {
  for (const listener of ["public", "admin"] as const) {
    test(`${listener} listener: ${RUNS} seeded malformed requests over every route`, async () => {
      const port = listener === "public" ? app.publicPort : app.adminPort!;
      const routes = app.routes[listener];
      const seed = listener === "public" ? SEED : SEED + 1;
      const { requests, failures, statuses } = await fuzzListener(port, routes, creds, seed);
      expect(requests.length).toBeGreaterThanOrEqual(2000);
      // Every route was exercised, and most requests were answered (the generator is not all noise).
      for (const r of routes) expect(requests.filter((q) => q.route === r.path).length).toBeGreaterThan(0);
      const answered = [...statuses].filter(([k]) => /^\d+$/.test(k)).reduce((n, [, c]) => n + c, 0);
      expect(answered).toBeGreaterThan(requests.length * 0.8);
      if (process.env.FUZZ_VERBOSE) console.log(listener, Object.fromEntries(statuses));
      expect(failures.slice(0, 20)).toEqual([]);
    }, 120_000);
  }
});
