/**
 * Throughput of the MCP hot path on this machine: real token verification + live-grant check, tenant
 * scope, a read tool, and a durable (group-committed) audit row per call, over real HTTP.
 * CPU time per call (this process: the appliance, the client and the bare server all run in it) is printed too: it
 * moves far less than throughput when the machine is shared.
 * The machine is noisy, so every figure is also printed as a ratio against baselines measured in the same
 * run: a bare Bun.serve JSON echo (the floor of HTTP on loopback) and an authenticated `ping` (transport +
 * bearer check, no tool, no audit row). Both protocol eras are measured: the 2025 leg (one long-lived Server) and
 * MCP 2026-07-28 (the `_meta` envelope on every request, a Server per request from the SDK's createMcpHandler).
 *   npx bun bench/mcp-hot-path.ts [calls=2000] [concurrency=32]
 */
import { bearerChallenge } from "../src/oauth/bearer";
import { startTestAppliance } from "../test/helpers/appliance";
import { fixtureTools, serveSurface } from "../test/helpers/mcp";
import { obtainTokens } from "../test/helpers/oauth";

const calls = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 32);
const app = await startTestAppliance();
const srv = serveSurface(app.ctx, "cavalier", fixtureTools("cavalier"), {
  verify: (t, s) => app.oauth.verifier.verify(t, s),
  challenge: (s, k, o) => bearerChallenge(app.config, s, k, o),
});
const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
type Era = "2025" | "2026";
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const body = (id: number, method: string, era: Era) => {
  const params: Record<string, unknown> =
    method === "tools/call" ? { name: "fixture_read_tenant", arguments: { tenant_id: "contosocare" } } : {};
  if (era === "2026") params._meta = ENVELOPE;
  return JSON.stringify(
    Object.keys(params).length ? { jsonrpc: "2.0", id, method, params } : { jsonrpc: "2.0", id, method },
  );
};
const headersFor = (method: string, era: Era): Record<string, string> =>
  era === "2026"
    ? {
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": method,
        ...(method === "tools/call" ? { "mcp-name": "fixture_read_tenant" } : {}),
      }
    : {};
const bare = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const msg = (await req.json()) as { id: number };
    return Response.json({ jsonrpc: "2.0", id: msg.id, result: {} });
  },
});
async function run(method: string, url = srv.url, era: Era = "2025"): Promise<number> {
  const grants = app.oauth.verifier.grantCacheStats;
  const [hits0, misses0] = [grants.hits, grants.misses];
  let next = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const id = next++;
        const s = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${access_token}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            ...headersFor(method, era),
          },
          body: body(id, method, era),
        });
        await res.text();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuPerCall = (cpu.user + cpu.system) / calls;
  lat.sort((a, b) => a - b);
  const rps = calls / secs;
  console.log(
    `${(url === srv.url ? `${era} ${method}` : "bare http").padEnd(16)} ${calls} calls, c=${concurrency}: ${rps.toFixed(0)} req/s, p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(2)} ms, p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(2)} ms, cpu ${cpuPerCall.toFixed(0)} µs/call, live-grant cache ${grants.hits - hits0} hits / ${grants.misses - misses0} misses`,
  );
  return rps;
}
const bareRps = await run("ping", `http://127.0.0.1:${bare.port}/`);
const pingRps = await run("ping");
const callRps = await run("tools/call");
// 2026-07-28 has no ping (removed); tools/list is its cheapest authenticated request.
const listRps = await run("tools/list");
const modernListRps = await run("tools/list", srv.url, "2026");
const modernCallRps = await run("tools/call", srv.url, "2026");
console.log(
  `ratios: ping/bare ${(pingRps / bareRps).toFixed(2)}, tools/call/bare ${(callRps / bareRps).toFixed(2)}, tools/call/ping ${(callRps / pingRps).toFixed(2)}`,
);
console.log(
  `2026-07-28 vs 2025: tools/list ${(modernListRps / listRps).toFixed(2)}, tools/call ${(modernCallRps / callRps).toFixed(2)}; 2026 tools/call/bare ${(modernCallRps / bareRps).toFixed(2)}`,
);
bare.stop(true);
srv.stop();
await app.close();
