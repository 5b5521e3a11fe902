/**
 * What the appliance holds in memory under R1 (tools/call cavalier_list_tenants at c=32), in process: samples
 * `bun:jsc` heapStats and /proc/self/smaps_rollup once a second while wrk runs, and prints the object types whose
 * count grew most between a collected heap before the load and one during it.
 *   npx bun bench/memory-probe.ts [seconds=10] [after=10]
 */
import { spawn } from "bun";
import { heapStats } from "bun:jsc";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startTestAppliance } from "../test/helpers/appliance";
import { obtainTokens } from "../test/helpers/oauth";

const seconds = Number(process.argv[2] ?? 10);
const after = Number(process.argv[3] ?? 10);
const app = await startTestAppliance();
const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
const body = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "cavalier_list_tenants", arguments: {} },
});
const headers = `authorization: Bearer ${access_token}`;

function smaps(): { rss: number; anon: number } {
  const t = readFileSync("/proc/self/smaps_rollup", "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(t)?.[1] ?? 0);
  return { rss: kb("Rss") / 1024, anon: kb("Anonymous") / 1024 };
}
function sample(label: string): void {
  const h = heapStats();
  const m = smaps();
  const mb = (n: number) => (n / 1048576).toFixed(0);
  console.log(
    `${label.padEnd(8)} rss ${m.rss.toFixed(0)} anon ${m.anon.toFixed(0)} heap ${mb(h.heapSize)}/${mb(h.heapCapacity)} ext ${mb(h.extraMemorySize)} objects ${h.objectCount}`,
  );
}
function wrk(s: number) {
  return spawn(
    [
      "wrk",
      "-t2",
      `-c${process.env.CONNS ?? 32}`,
      `-d${s}s`,
      "-s",
      join(import.meta.dir, "post.lua"),
      `${app.baseUrl}/cavalier`,
    ],
    { env: { ...process.env, METHOD: "POST", BODY: body, HEADERS: headers }, stdout: "pipe", stderr: "inherit" },
  );
}
// Warm up: the surface loads, the JIT tiers up.
await wrk(3).exited;
Bun.gc(true);
await Bun.sleep(500);
Bun.gc(true);
const before = heapStats().objectTypeCounts;
sample("idle");
const cpu0 = process.cpuUsage();
const w = wrk(seconds);
let mid: Record<string, number> | null = null;
for (let i = 1; i <= seconds; i++) {
  await Bun.sleep(1000);
  sample(`load ${i}`);
  if (i === Math.ceil(seconds / 2)) mid = heapStats().objectTypeCounts;
}
const out = await new Response(w.stdout).text();
const cpu = process.cpuUsage(cpu0);
const result = out.trim().split("\n").pop() ?? "";
const requests = Number(/RESULT (\d+)/.exec(result)?.[1] ?? Number.NaN);
console.log(`${result}  cpu ${((cpu.user + cpu.system) / requests).toFixed(0)} µs/req`);
for (let i = 1; i <= after; i++) {
  await Bun.sleep(1000);
  sample(`after ${i}`);
}
if (mid) {
  const rows = Object.entries(mid)
    .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30);
  console.log("object types grown by mid-load (not collected, live or garbage):");
  for (const [k, v] of rows) console.log(`  ${String(v).padStart(8)} ${k}`);
}
await app.close();
process.exit(0);
