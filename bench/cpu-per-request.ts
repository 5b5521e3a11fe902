/**
 * CPU per request of the binary's hot request kinds, in process, over real HTTP (the appliance and the client share the
 * process, so the client's fetch is in every figure alike): GET /healthz, authenticated ping, R1 list_tenants, the write.
 *   npx bun bench/cpu-per-request.ts [calls=3000] [concurrency=32]
 */
import { startTestAppliance } from "../test/helpers/appliance";
import { obtainTokens } from "../test/helpers/oauth";

const calls = Number(process.argv[2] ?? 3000);
const concurrency = Number(process.argv[3] ?? 32);
const app = await startTestAppliance();
const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
type Kind = { name: string; method?: string; body?: (n: number) => string; headers?: Record<string, string> };
const auth = {
  authorization: `Bearer ${access_token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};
const rpc = (method: string, params?: unknown) =>
  JSON.stringify(params === undefined ? { jsonrpc: "2.0", id: 1, method } : { jsonrpc: "2.0", id: 1, method, params });
const modern = (name: string) => ({
  ...auth,
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": "tools/call",
  "mcp-name": name,
});
const lt = { name: "cavalier_list_tenants", arguments: {} };
const cd = (n: number) => ({
  name: "cavalier_create_deal",
  arguments: { tenant_id: "contosocare", name: "Bench deal", idempotency_key: `k-${Date.now()}-${n}` },
});
const kinds: Kind[] = [
  { name: "healthz", method: "GET" },
  { name: "ping", body: () => rpc("ping"), headers: auth },
  { name: "R1 2025", body: () => rpc("tools/call", lt), headers: auth },
  { name: "R1 2026", body: () => rpc("tools/call", { ...lt, _meta: ENVELOPE }), headers: modern(lt.name) },
  { name: "write 2025", body: (n) => rpc("tools/call", cd(n)), headers: auth },
  {
    name: "write 2026",
    body: (n) => rpc("tools/call", { ...cd(n), _meta: ENVELOPE }),
    headers: modern("cavalier_create_deal"),
  },
];
const only = process.env.ONLY?.split(",");
async function run(k: Kind, n: number) {
  let next = 0;
  const url = k.method === "GET" ? `${app.baseUrl}/healthz` : `${app.baseUrl}/cavalier`;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(
          url,
          k.method === "GET" ? {} : { method: "POST", headers: k.headers, body: k.body!(i) },
        );
        const text = await res.text();
        if (res.status !== 200 || text.includes('"isError":true'))
          throw new Error(`${k.name}: ${res.status} ${text.slice(0, 200)}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { us: (cpu.user + cpu.system) / n, rps: n / ((performance.now() - t0) / 1000) };
}
for (const k of kinds) {
  if (only && !only.includes(k.name)) continue;
  await run(k, Math.min(500, calls));
  const r = await run(k, k.name === "healthz" ? calls * 3 : calls);
  console.log(`${k.name.padEnd(12)} cpu ${r.us.toFixed(0).padStart(5)} µs/req  ${r.rps.toFixed(0).padStart(6)} req/s`);
}
await app.close();
process.exit(0);
