import { afterAll, beforeAll, beforeEach, describe, expect, test, setDefaultTimeout } from "bun:test";
import { eq } from "drizzle-orm";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CIMD_TIMEOUT_MS } from "../../../../src/oauth/cimd";
import { oauthClients } from "../../../../src/store/schema/oauth";
import { startTestAppliance, type TestAppliance } from "../../../helpers/appliance";
import { buildAuthorizeUrl } from "../../../helpers/oauth";

setDefaultTimeout(30_000);

/**
 * DNS-rebinding TOCTOU (docs/mcp-client-compat.md §4.6): the address the SSRF guard checked must be the address the
 * appliance connects to. Two real TLS servers share one port: the "checked" one on 127.0.0.2 (the only address
 * the test guard admits) and an "internal" decoy on 127.0.0.1, which is what the system resolver answers for
 * `localhost` (the second resolution an unpinned fetch would do). The injected resolver rebinds too: first
 * 127.0.0.2, then 127.0.0.1. Only the real Bun fetch is used; the test adds nothing but trust in its test CA.
 * Without pinning the fetch reaches the decoy (or nothing) and the test fails.
 * The certificate (fixtures/test-only.*, SANs localhost and docs.pin.test, no IP SAN) also proves the
 * certificate is verified against the client_id's hostname, not the pinned IP.
 */
const CERT = readFileSync(join(import.meta.dir, "fixtures/test-only.crt"), "utf8");
const KEY = readFileSync(join(import.meta.dir, "fixtures/test-only.key"), "utf8");
const REDIRECT = "https://client.example/cb";

let app: TestAppliance;
let checked: ReturnType<typeof Bun.serve>;
let decoy: ReturnType<typeof Bun.serve>;
const hits = { checked: [] as string[], decoy: [] as string[] };
let resolutions = 0;

function docServer(hostname: string, port: number, name: string, log: string[]) {
  return Bun.serve({
    hostname,
    port,
    tls: { cert: CERT, key: KEY },
    fetch(req) {
      const host = req.headers.get("host") ?? "";
      log.push(`${host}${new URL(req.url).pathname}`);
      const clientId = `https://${host}${new URL(req.url).pathname}`;
      return Response.json({ client_id: clientId, client_name: name, redirect_uris: [REDIRECT] });
    },
  });
}

beforeAll(async () => {
  checked = docServer("127.0.0.2", 0, "Checked address", hits.checked);
  decoy = docServer("127.0.0.1", checked.port!, "Internal decoy", hits.decoy);
  app = await startTestAppliance({ extraToml: `[oauth]\ncimd_allowed_hosts = ["localhost", "pin.test"]\n` });
});
afterAll(async () => {
  await app.close();
  checked.stop(true);
  decoy.stop(true);
});
beforeEach(() => {
  hits.checked.length = 0;
  hits.decoy.length = 0;
  resolutions = 0;
  app.oauth.cimd.configureNetwork({
    // Real fetch; the test only adds its CA (production uses the system roots).
    fetch: ((input: string | URL | Request, init?: BunFetchRequestInit) =>
      fetch(input, { ...init, tls: { ...init?.tls, ca: CERT } })) as typeof fetch,
    resolve: async () => (resolutions++ === 0 ? ["127.0.0.2"] : ["127.0.0.1"]),
    isAllowedAddress: (a) => a === "127.0.0.2",
    timeoutMs: CIMD_TIMEOUT_MS,
  });
});

const nameOf = async (id: string) =>
  (await app.ctx.store.db.select({ name: oauthClients.name }).from(oauthClients).where(eq(oauthClients.id, id)))[0]
    ?.name;

describe("CIMD fetch is pinned to the checked address", () => {
  test("the connection goes to the checked address, not to a second resolution of the hostname", async () => {
    const id = `https://localhost:${checked.port}/oauth/pinned/client.json`;
    const res = await fetch(buildAuthorizeUrl(app, { client_id: id, redirect_uri: REDIRECT }), { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(hits.decoy).toEqual([]);
    expect(hits.checked).toEqual([`localhost:${checked.port}/oauth/pinned/client.json`]);
    expect(resolutions).toBe(1);
    expect(await nameOf(id)).toBe("Checked address");
  });

  test("a hostname no real DNS knows is reached only through the checked address, certificate verified for it", async () => {
    const id = `https://docs.pin.test:${checked.port}/oauth/made-up/client.json`;
    const res = await fetch(buildAuthorizeUrl(app, { client_id: id, redirect_uri: REDIRECT }), { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(hits.checked).toEqual([`docs.pin.test:${checked.port}/oauth/made-up/client.json`]);
  });

  test("the certificate must match the client_id's hostname: a name the certificate lacks is refused", async () => {
    const id = `https://evil.pin.test:${checked.port}/oauth/mismatch/client.json`;
    const res = await fetch(buildAuthorizeUrl(app, { client_id: id, redirect_uri: REDIRECT }), { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(hits.checked).toEqual([]);
    expect(hits.decoy).toEqual([]);
    expect(await nameOf(id)).toBeUndefined();
  });
});
