/**
 * Throughput of the MCP hot path on this machine: real token verification + live-grant check, tenant
 * scope, a read tool, and a durable (group-committed) audit row per call, over real HTTP.
 * The machine is noisy, so every figure is also printed as a ratio against baselines measured in the same
 * run: a bare Bun.serve JSON echo (the floor of HTTP on loopback) and an authenticated `ping` (transport +
 * bearer check, no tool, no audit row).
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
  verify: (t, s) => app.ctx.oauth!.verifier.verify(t, s),
  challenge: (s, k, o) => bearerChallenge(app.config, s, k, o),
});
const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
const body = (id: number, method: string) =>
  JSON.stringify(
    method === "tools/call"
      ? { jsonrpc: "2.0", id, method, params: { name: "fixture_read_tenant", arguments: { tenant_id: "contosocare" } } }
      : { jsonrpc: "2.0", id, method },
  );
const bare = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const msg = (await req.json()) as { id: number };
    return Response.json({ jsonrpc: "2.0", id: msg.id, result: {} });
  },
});
async function run(method: string, url = srv.url): Promise<number> {
  let next = 0;
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const id = next++;
        const s = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
          body: body(id, method),
        });
        await res.text();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const rps = calls / secs;
  console.log(
    `${(url === srv.url ? method : "bare http").padEnd(10)} ${calls} calls, c=${concurrency}: ${rps.toFixed(0)} req/s, p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(2)} ms, p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(2)} ms`,
  );
  return rps;
}
const bareRps = await run("ping", `http://127.0.0.1:${bare.port}/`);
const pingRps = await run("ping");
const callRps = await run("tools/call");
console.log(
  `ratios: ping/bare ${(pingRps / bareRps).toFixed(2)}, tools/call/bare ${(callRps / bareRps).toFixed(2)}, tools/call/ping ${(callRps / pingRps).toFixed(2)}`,
);
bare.stop(true);
srv.stop();
await app.close();
