import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readCappedText } from "../../../src/http/read-capped-body";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { accessFor, fixtureTools, serveSurface, tableAuth } from "../../helpers/mcp";

/**
 * Bug (security review): request bodies were buffered whole before any size check, even unauthenticated, so a
 * chunked 100 MB POST (no content-length) made the process hold 100 MB per request. Now both listeners refuse
 * bodies over 1 MiB (Bun.serve maxRequestBodySize: 413) and the MCP surface reads with a byte cap on the stream.
 */

let app: TestAppliance;
let srv: ReturnType<typeof serveSurface>;
beforeAll(async () => {
  app = await startTestAppliance();
  srv = serveSurface(
    app.ctx,
    "cavalier",
    fixtureTools("cavalier"),
    tableAuth({ t: accessFor("tech@harbor-it.example", "technician", "harbor-it", "cavalier", ["cavalier:read"]) }),
  );
});
afterAll(async () => {
  srv?.stop();
  await app?.close();
});

const MiB = 1024 * 1024;

/** POSTs `chunks` MiB as a chunked body (no content-length); reports the status and how many chunks were pulled. */
async function sendChunked(
  url: string,
  contentType: string,
  chunks = 100,
): Promise<{ status: number | string; pulled: number }> {
  const chunk = new Uint8Array(MiB).fill(97);
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled >= chunks) return c.close();
      pulled++;
      c.enqueue(chunk);
    },
  });
  const status = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
    duplex: "half",
    signal: AbortSignal.timeout(10_000),
  } as RequestInit)
    .then((r) => r.status)
    .catch((e: Error) => `error: ${e.name}`);
  return { status, pulled };
}

describe("bug: oversized request bodies were buffered whole before any size check", () => {
  test("the public listener answers a chunked 100 MB POST with 413 (MCP, OAuth token, registration) without reading it", async () => {
    for (const [path, type] of [
      ["/cavalier", "application/json"],
      ["/oauth/token", "application/x-www-form-urlencoded"],
      ["/oauth/register", "application/json"],
    ] as const) {
      const r = await sendChunked(`${app.baseUrl}${path}`, type);
      expect(r.status).toBe(413);
      expect(r.pulled).toBeLessThan(50);
    }
  });

  test("the admin listener too", async () => {
    const r = await sendChunked(`${app.adminUrl}/sign-in`, "application/x-www-form-urlencoded");
    expect(r.status).toBe(413);
    expect(r.pulled).toBeLessThan(50);
  });

  test("a normal request still works under the cap", async () => {
    const res = await fetch(`${app.baseUrl}/cavalier`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(res.status).toBe(401);
  });

  test("the MCP surface itself caps the stream (behind a server without a body limit): 413, the body is not read to the end", async () => {
    const r = await sendChunked(srv.url, "application/json");
    expect(r.status).toBe(413);
    expect(r.pulled).toBeLessThan(50);
  });

  test("readCappedText stops at the cap and reads bodies within it", async () => {
    const big = new Request("http://x/", {
      method: "POST",
      body: new Blob([new Uint8Array(MiB + 1)]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(await readCappedText(big, MiB)).toBeNull();
    expect(await readCappedText(new Request("http://x/", { method: "POST", body: "héllo" }), 6)).toBe("héllo");
    expect(await readCappedText(new Request("http://x/", { method: "POST", body: "héllo" }), 5)).toBeNull();
    expect(await readCappedText(new Request("http://x/", { method: "GET" }))).toBe("");
  });
});
