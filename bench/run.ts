/**
 * `npm run bench`: the compiled binary against the MCP SDK's own stateless reference server, with wrk.
 *
 * Builds dist/cavaridge, starts it on a fresh data directory (timing exec -> first /healthz 200 on the empty
 * directory, then again on the existing database), obtains a token through the real authorization code + PKCE flow
 * (sign-in and consent pages), then runs interleaved rounds of
 *   R0      GET /healthz
 *   ping    authenticated JSON-RPC ping on /cavalier (2025 leg)
 *   R1      tools/call cavalier_list_tenants (token, live grant, tenant scope, audit row), 2025 leg and 2026-07-28
 *   write   tools/call cavalier_create_deal (the deal and its audit row commit together), both eras
 *   R2      the SDK 1.x stateless reference (bench/reference-server.mjs, Node + express) doing its echo tool
 *   F1      the SDK 2.x alone on Bun (bench/sdk-floor.ts: `createMcpHandler`, an echo tool, no auth, no store, no
 *           audit): ping and the echo in both eras with the runtime's default heap, and the 2026-07-28 echo again
 *           with serve's heap options; the ceiling of the SDK's stateless entry, which the 2026-07-28 leg goes
 *           through, measured in the same run so the targets can be read against it
 * and prints medians, p99s, the ratios with pass/miss per target, startup and RSS: right after the first calls (a
 * sign-in, a token, one `list_tenants`), at rest (after IDLE_SHRINK_AFTER_MS + 10 s without a request, once the
 * process has given its idle memory back: what an MSP's box sees most of the day), after a soak at the same
 * concurrency, and after a quiet period. Each RSS figure is split into file-backed and anonymous pages.
 *
 *   npm run bench -- [--rounds 3] [--duration 8] [--connections 32] [--soak 60] [--settle 60] [--no-build]
 *                    [--only startup,memory,throughput] [--starts 1] [--bin PATH (an executable built earlier)]
 *
 * Quick run: `npm run bench -- --rounds 1 --duration 3 --soak 5 --settle 5`.
 * Start and memory only (no reference server, no throughput rounds): `npm run bench -- --only startup,memory`;
 * `--starts 5` repeats the two starts on fresh directories, since one start on a shared machine says little.
 * wrk is a Debian package (autocannon cannot keep up with Bun on 2 cores, so it would measure itself); as root
 * this script installs it with apt-get, otherwise it says how.
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVE_JSC_OPTIONS } from "../src/cli/heap-policy";
import { IDLE_SHRINK_AFTER_MS } from "../src/cli/idle-memory";
import { parseConfigText } from "../src/config/load";
import { freePort, tempDir, testConfigToml } from "../test/helpers/appliance";
import { authorizeViaForms, exchangeCode, registerTestClient } from "../test/helpers/oauth";

const ROOT = resolve(import.meta.dir, "..");
const { values: opts } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "32" },
    threads: { type: "string", default: "2" },
    soak: { type: "string", default: "60" },
    settle: { type: "string", default: "60" },
    "no-build": { type: "boolean", default: false },
    only: { type: "string", default: "startup,memory,throughput" },
    starts: { type: "string", default: "1" },
    bin: { type: "string" },
  },
  strict: true,
});
const ROUNDS = Number(opts.rounds);
const DURATION = Number(opts.duration);
const CONNECTIONS = Number(opts.connections);
const THREADS = Number(opts.threads);
const PARTS = new Set(opts.only.split(",").map((p) => p.trim()));
for (const p of PARTS)
  if (!["startup", "memory", "throughput"].includes(p)) throw new Error(`--only: unknown part "${p}"`);
const STARTS = Math.max(1, Number(opts.starts));

function ensureWrk(): string {
  const found = Bun.which("wrk");
  if (found) return found;
  if (process.getuid?.() === 0) {
    console.log("installing wrk (apt-get install -y wrk)…");
    spawnSync(["apt-get", "install", "-y", "wrk"], { stdout: "ignore", stderr: "inherit" });
    const installed = Bun.which("wrk");
    if (installed) return installed;
  }
  console.error("wrk is needed: install it with `sudo apt-get install wrk` (Debian/Ubuntu) and run again.");
  process.exit(1);
}

function build(): void {
  if (opts["no-build"] || opts.bin) return;
  const r = spawnSync([process.execPath, "scripts/build.ts"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) process.exit(r.exitCode ?? 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process, from /proc (MiB). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** RSS with its split (MiB, /proc/<pid>/smaps_rollup): pages of files (the executable, the addon) and anonymous ones. */
interface Resident {
  rss: number;
  file: number;
  anon: number;
}

function residentMiB(pid: number): Resident {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN);
  const rss = kb("Rss") / 1024;
  const anon = kb("Anonymous") / 1024;
  return { rss, file: rss - anon, anon };
}

// One decimal: a row whose verdict is read against a line (100 MiB) must not read "100 MiB, MISS".
const residentCell = (r: Resident) => `${r.rss.toFixed(1)} MiB (file ${r.file.toFixed(0)}, anon ${r.anon.toFixed(0)})`;

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (fields 14 and 15, in clock
 * ticks of 1/100 s on Linux): unlike wall time, it barely moves when the machine is shared.
 */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Started {
  proc: Subprocess;
  /** exec -> first 200 on /healthz (wall clock). */
  ms: number;
  /** CPU time the binary used until that first 200. */
  cpu: number;
  /** exec -> first 200 on /readyz: the store, migrations, keys and every feature ready. */
  readyMs: number;
}

/** Starts the binary and times exec -> first 200 on /healthz, then on /readyz. */
async function startBinary(bin: string, dir: string, baseUrl: string): Promise<Started> {
  const t0 = performance.now();
  const proc = spawn([bin, "serve", "--config", "config.toml"], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  const firstOk = async (path: string): Promise<number> => {
    for (;;) {
      try {
        const res = await fetch(`${baseUrl}${path}`);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (proc.exitCode !== null) throw new Error(`the binary exited with ${proc.exitCode}`);
      if (performance.now() - t0 > 30_000) throw new Error(`the binary did not answer ${path} within 30 s`);
      await sleep(2);
    }
  };
  const ms = await firstOk("/healthz");
  const cpu = cpuMs(proc.pid);
  const readyMs = await firstOk("/readyz");
  return { proc, ms, cpu, readyMs };
}

/** A fresh data directory with the bench config (demo seed on, log level warn). */
async function benchDir(): Promise<{ dir: string; publicPort: number; adminPort: number; toml: string }> {
  const dir = tempDir("cavaridge-bench-");
  const publicPort = await freePort();
  const adminPort = await freePort();
  const dbPath = join(dir, "data", "cavaridge.db");
  const toml = testConfigToml({ publicPort, adminPort, dbPath, extra: '[log]\nlevel = "warn"\n' });
  writeFileSync(join(dir, "config.toml"), toml);
  return { dir, publicPort, adminPort, toml };
}

async function stopProcess(proc: Subprocess): Promise<void> {
  proc.kill("SIGTERM");
  await proc.exited;
}

interface Target {
  name: string;
  url: string;
  method?: "GET";
  body?: string;
  headers?: Record<string, string>;
}
interface Sample {
  rps: number;
  p99: number;
  errors: number;
}

function wrkCommand(wrk: string, t: Target, seconds: number): { cmd: string[]; env: Record<string, string> } {
  return {
    cmd: [
      wrk,
      `-t${THREADS}`,
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "-s",
      join(import.meta.dir, "post.lua"),
      t.url,
    ],
    env: {
      ...(process.env as Record<string, string>),
      METHOD: t.method ?? "POST",
      BODY: t.body ?? "",
      HEADERS: Object.entries(t.headers ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join("\n"),
    },
  };
}

function wrkSample(t: Target, out: string, err: string): Sample & { requests: number } {
  const m = /RESULT (\d+) ([\d.]+) ([\d.]+) (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`wrk gave no result for ${t.name}: ${out} ${err}`);
  return {
    rps: Number(m[1]) / Number(m[2]),
    p99: Number(m[3]),
    errors: Number(m[4]) + Number(m[5]),
    requests: Number(m[1]),
  };
}

function runWrk(wrk: string, t: Target, seconds: number): Sample {
  const { cmd, env } = wrkCommand(wrk, t, seconds);
  const r = spawnSync(cmd, { env, stdout: "pipe", stderr: "pipe" });
  return wrkSample(t, r.stdout.toString(), r.stderr.toString());
}

/** What the soak did to the binary: RSS once a second, the CPU it used per request. */
interface Soak {
  rss: number[];
  cpuPerRequestUs: number;
  rps: number;
}

/**
 * Runs wrk against the binary and samples its RSS once a second meanwhile: one reading at the end depends on where
 * the collector happens to be in its cycle, the median and peak over the run much less.
 */
async function soakWrk(wrk: string, t: Target, seconds: number, pid: number): Promise<Soak> {
  const { cmd, env } = wrkCommand(wrk, t, seconds);
  const cpu0 = cpuMs(pid);
  const proc = spawn(cmd, { env, stdout: "pipe", stderr: "pipe" });
  const rss: number[] = [];
  while (proc.exitCode === null) {
    await Promise.race([proc.exited, sleep(1000)]);
    if (proc.exitCode === null) rss.push(rssMiB(pid));
  }
  const cpu = cpuMs(pid) - cpu0;
  const s = wrkSample(t, await new Response(proc.stdout).text(), await new Response(proc.stderr).text());
  return { rss, cpuPerRequestUs: (cpu * 1000) / s.requests, rps: s.rps };
}

/** Checks a target answers 200 with a JSON-RPC result (not an error) before it is measured. */
async function probe(t: Target): Promise<void> {
  const res = await fetch(t.url, {
    method: t.method ?? "POST",
    headers: t.body
      ? { "content-type": "application/json", accept: "application/json, text/event-stream", ...t.headers }
      : t.headers,
    body: t.body?.replaceAll("%KEY%", `probe-${Date.now()}`),
  });
  const text = await res.text();
  if (res.status !== 200 || text.includes('"error"') || text.includes('"isError":true'))
    throw new Error(`${t.name}: ${res.status} ${text.slice(0, 300)}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  const wrk = PARTS.has("memory") || PARTS.has("throughput") ? ensureWrk() : "";
  build();
  const bin = opts.bin ? resolve(opts.bin) : join(ROOT, "dist/cavaridge");
  const starts: { empty: Started; existing: Started }[] = [];
  // Extra start pairs, each on a fresh directory, then stopped: start time varies a lot on a shared machine.
  for (let i = 1; i < STARTS; i++) {
    const extra = await benchDir();
    try {
      const url = `http://127.0.0.1:${extra.publicPort}`;
      const empty = await startBinary(bin, extra.dir, url);
      await stopProcess(empty.proc);
      const existing = await startBinary(bin, extra.dir, url);
      await stopProcess(existing.proc);
      starts.push({ empty, existing });
      console.log(startLine(starts.length, empty, existing));
    } finally {
      rmSync(extra.dir, { recursive: true, force: true });
    }
  }
  const { dir, publicPort, adminPort, toml } = await benchDir();
  const procs: Subprocess[] = [];
  try {
    const config = parseConfigText(toml, "config.toml");
    const baseUrl = `http://127.0.0.1:${publicPort}`;

    const first = await startBinary(bin, dir, baseUrl);
    await stopProcess(first.proc);
    const second = await startBinary(bin, dir, baseUrl);
    const app = second.proc;
    procs.push(app);
    starts.push({ empty: first, existing: second });
    console.log(startLine(starts.length, first, second));
    if (!PARTS.has("memory") && !PARTS.has("throughput")) {
      printStartRows(starts);
      return;
    }

    const endpoint = { baseUrl, config };
    const client = await registerTestClient(endpoint);
    const { location, verifier } = await authorizeViaForms(endpoint, {
      client,
      email: "admin@harbor-it.example",
      surface: "cavalier",
    });
    const code = location.searchParams.get("code");
    if (!code) throw new Error(`authorization failed: ${location.href}`);
    const tokenRes = await exchangeCode(endpoint, client, code, verifier);
    if (tokenRes.status !== 200) throw new Error(`token exchange failed: ${await tokenRes.text()}`);
    const { access_token } = (await tokenRes.json()) as { access_token: string };

    const refPort = await freePort();
    if (PARTS.has("throughput")) {
      const ref = spawn(["node", join(import.meta.dir, "reference-server.mjs"), String(refPort)], {
        cwd: ROOT,
        stdout: "ignore",
        stderr: "inherit",
      });
      procs.push(ref);
    }
    const refUrl = `http://127.0.0.1:${refPort}/mcp`;
    // F1 twice: with the runtime's default heap, and with the heap options the binary's serve runs with (unless the
    // environment sets its own, as for serve). The SDK's per-request entry makes more garbage per request than the
    // appliance does, so the smaller nursery costs it more; both are shown rather than either alone.
    const floorUrls: string[] = [];
    for (const env of [process.env, { ...SERVE_JSC_OPTIONS, ...process.env }]) {
      const port = await freePort();
      floorUrls.push(`http://127.0.0.1:${port}/mcp`);
      if (!PARTS.has("throughput")) continue;
      const floor = spawn([process.execPath, join(import.meta.dir, "sdk-floor.ts"), String(port)], {
        cwd: ROOT,
        env,
        stdout: "ignore",
        stderr: "inherit",
      });
      procs.push(floor);
    }
    const [floorUrl, floorServeHeapUrl] = floorUrls as [string, string];

    const auth = { authorization: `Bearer ${access_token}` };
    const rpc = (method: string, params?: unknown) =>
      JSON.stringify(
        params === undefined ? { jsonrpc: "2.0", id: 1, method } : { jsonrpc: "2.0", id: 1, method, params },
      );
    const ENVELOPE = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
      "io.modelcontextprotocol/clientCapabilities": {},
    };
    const modern = (method: string, name?: string) => ({
      ...auth,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(name ? { "mcp-name": name } : {}),
    });
    const listTenants = { name: "cavalier_list_tenants", arguments: {} };
    const createDeal = {
      name: "cavalier_create_deal",
      arguments: { tenant_id: "contosocare", name: "Bench deal", idempotency_key: "%KEY%" },
    };
    const mcpUrl = `${baseUrl}/cavalier`;
    const echo = { name: "echo", arguments: { message: "hello" } };
    const legacyEcho = { "mcp-protocol-version": "2025-06-18" };
    const modernEcho = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo" };
    const targets: Target[] = [
      { name: "R0 GET /healthz", url: `${baseUrl}/healthz`, method: "GET" },
      { name: "ping (2025)", url: mcpUrl, body: rpc("ping"), headers: auth },
      { name: "R1 list_tenants (2025)", url: mcpUrl, body: rpc("tools/call", listTenants), headers: auth },
      {
        name: "R1 list_tenants (2026-07-28)",
        url: mcpUrl,
        body: rpc("tools/call", { ...listTenants, _meta: ENVELOPE }),
        headers: modern("tools/call", listTenants.name),
      },
      { name: "write create_deal (2025)", url: mcpUrl, body: rpc("tools/call", createDeal), headers: auth },
      {
        name: "write create_deal (2026-07-28)",
        url: mcpUrl,
        body: rpc("tools/call", { ...createDeal, _meta: ENVELOPE }),
        headers: modern("tools/call", createDeal.name),
      },
      {
        name: "R2 SDK 1.x reference echo",
        url: refUrl,
        body: rpc("tools/call", echo),
        headers: { "mcp-protocol-version": "2025-06-18" },
      },
      { name: "F1 SDK 2.x alone, ping", url: floorUrl, body: rpc("ping"), headers: legacyEcho },
      { name: "F1 SDK 2.x alone, echo (2025)", url: floorUrl, body: rpc("tools/call", echo), headers: legacyEcho },
      {
        name: "F1 SDK 2.x alone, echo (2026-07-28)",
        url: floorUrl,
        body: rpc("tools/call", { ...echo, _meta: ENVELOPE }),
        headers: modernEcho,
      },
      {
        name: "F1 with serve's heap, echo (2026-07-28)",
        url: floorServeHeapUrl,
        body: rpc("tools/call", { ...echo, _meta: ENVELOPE }),
        headers: modernEcho,
      },
    ];
    // The two servers spawned above answer once they listen.
    const external = targets.filter((t) => t.url === refUrl || floorUrls.includes(t.url));
    for (const t of PARTS.has("throughput") ? external : []) {
      for (let i = 0; ; i++) {
        try {
          await probe(t);
          break;
        } catch (err) {
          if (i > 200) throw err;
          await sleep(50);
        }
      }
    }
    for (const t of PARTS.has("throughput") ? targets : [targets[2]!]) await probe(t);

    const idle = residentMiB(app.pid);
    // At rest: no request since the first calls for longer than the idle shrink waits (src/cli/idle-memory.ts), plus
    // 10 s for its 5 s check and the collection it runs.
    const restS = (IDLE_SHRINK_AFTER_MS + 10_000) / 1000;
    if (PARTS.has("memory")) {
      console.log(`waiting ${restS} s without a request for the at-rest sample…`);
      await sleep(restS * 1000);
    }
    const atRest = residentMiB(app.pid);
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (let round = 1; PARTS.has("throughput") && round <= ROUNDS; round++) {
      for (const t of targets) {
        const s = runWrk(wrk, t, DURATION);
        samples.get(t.name)!.push(s);
        console.log(
          `round ${round} ${t.name.padEnd(32)} ${s.rps.toFixed(0).padStart(7)} req/s  p99 ${s.p99.toFixed(1).padStart(7)} ms${s.errors ? `  ${s.errors} errors` : ""}`,
        );
      }
    }
    const afterRounds = rssMiB(app.pid);
    const soakS = Number(opts.soak);
    const settleS = Number(opts.settle);
    const soak = PARTS.has("memory") ? await soakWrk(wrk, targets[2]!, soakS, app.pid) : null;
    const afterSoak = rssMiB(app.pid);
    if (PARTS.has("memory")) await sleep(settleS * 1000);
    const settled = residentMiB(app.pid);

    let groups = "n/a";
    try {
      const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
      const sum = Number(/^cavaridge_audit_commit_group_size_sum (\S+)/m.exec(metrics)?.[1]);
      const count = Number(/^cavaridge_audit_commit_group_size_count (\S+)/m.exec(metrics)?.[1]);
      if (count > 0) groups = `${count} commits, ${(sum / count).toFixed(1)} rows per commit on average`;
    } catch {
      // metrics are informational here
    }

    const med = (name: string) => median(samples.get(name)!.map((s) => s.rps));
    const p99 = (name: string) => median(samples.get(name)!.map((s) => s.p99));
    const r0 = med("R0 GET /healthz");
    const r2 = med("R2 SDK 1.x reference echo");
    const rows: string[] = [];
    console.log(
      `\n${ROUNDS} interleaved rounds, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s; ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB\n`,
    );
    rows.push("| what | req/s (median) | p99 (median) | ratio | target | |", "|---|---:|---:|---:|---|---|");
    for (const t of PARTS.has("throughput") ? targets : []) {
      const rps = med(t.name);
      let ratio = "";
      let target = "";
      let ok: boolean | null = null;
      if (t.name.startsWith("ping")) {
        ratio = `${(rps / r0).toFixed(3)} × R0`;
        target = "≥ 0.3 × R0";
        ok = rps >= 0.3 * r0;
      } else if (t.name.startsWith("R1")) {
        ratio = `${(rps / r2).toFixed(2)} × R2, ${(rps / r0).toFixed(3)} × R0`;
        target = "≥ 6 × R2, ≥ 0.15 × R0, p99 ≤ 10 ms";
        ok = rps >= 6 * r2 && rps >= 0.15 * r0 && p99(t.name) <= 10;
      } else if (t.name.startsWith("write")) {
        ratio = `${(rps / r0).toFixed(3)} × R0`;
        target = "≥ 0.05 × R0";
        ok = rps >= 0.05 * r0;
      } else if (t.name.startsWith("F1")) {
        // No target: the SDK's own ceiling on this machine, to read the ping and R1 targets against.
        ratio = `${(rps / r2).toFixed(2)} × R2, ${(rps / r0).toFixed(3)} × R0`;
      }
      rows.push(
        `| ${t.name} | ${rps.toFixed(0)} | ${p99(t.name).toFixed(1)} ms | ${ratio} | ${target} | ${ok === null ? "" : verdict(ok)} |`,
      );
    }
    rows.push(...startRows(starts));
    if (PARTS.has("throughput")) rows.push(`| RSS after the rounds | | ${afterRounds.toFixed(0)} MiB | | | |`);
    rows.push(`| RSS idle, right after the first calls | | ${residentCell(idle)} | | | |`);
    if (PARTS.has("memory"))
      rows.push(
        `| RSS at rest (${restS} s without a request) | | ${residentCell(atRest)} | | ≤ 100 MiB | ${verdict(atRest.rss <= 100)} |`,
        `| RSS after ${soakS} s of R1 at c=${CONNECTIONS} | | ${afterSoak.toFixed(1)} MiB | | ≤ 150 MiB | ${verdict(afterSoak <= 150)} |`,
        `| RSS ${settleS} s later | | ${residentCell(settled)} | | within 20% of at rest | ${verdict(settled.rss <= atRest.rss * 1.2)} |`,
      );
    rows.push(`| binary size | | ${(statSync(bin).size / 2 ** 20).toFixed(0)} MiB | | | |`);
    console.log(rows.join("\n"));
    console.log(`\naudit group commit: ${groups}`);
    if (soak && soak.rss.length > 0)
      console.log(
        `soak: RSS once a second median ${median(soak.rss).toFixed(0)} MiB, peak ${Math.max(...soak.rss).toFixed(0)} MiB; CPU ${soak.cpuPerRequestUs.toFixed(0)} µs per request at ${soak.rps.toFixed(0)} req/s`,
      );
  } finally {
    for (const p of procs) {
      p.kill("SIGTERM");
      await p.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const verdict = (ok: boolean) => (ok ? "pass" : "MISS");

function startLine(n: number, empty: Started, existing: Started): string {
  const f = (s: Started) => `healthz ${s.ms.toFixed(0)} ms (CPU ${s.cpu} ms), readyz ${s.readyMs.toFixed(0)} ms`;
  return `start ${n}: empty directory ${f(empty)}; existing database ${f(existing)}`;
}

/** The start rows of the result table: the median over every start pair, and each run beside it. */
function startRows(starts: { empty: Started; existing: Started }[]): string[] {
  const row = (what: string, xs: Started[], target: number) => {
    const ms = median(xs.map((s) => s.ms));
    const each = xs.length > 1 ? ` [${xs.map((s) => s.ms.toFixed(0)).join(", ")}]` : "";
    const cpu = median(xs.map((s) => s.cpu));
    const ready = median(xs.map((s) => s.readyMs));
    return `| ${what} | | ${ms.toFixed(0)} ms${each} (CPU ${cpu.toFixed(0)} ms; /readyz 200 at ${ready.toFixed(0)} ms) | | ≤ ${target} ms | ${verdict(ms <= target)} |`;
  };
  return [
    row(
      "startup, existing database (exec → first /healthz 200)",
      starts.map((s) => s.existing),
      200,
    ),
    row(
      "startup, empty directory",
      starts.map((s) => s.empty),
      1000,
    ),
  ];
}

function printStartRows(starts: { empty: Started; existing: Started }[]): void {
  console.log(["\n| what | | median | | target | |", "|---|---|---|---|---|---|", ...startRows(starts)].join("\n"));
}

await main();
