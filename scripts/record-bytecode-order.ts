/**
 * Records scripts/cavaridge.order, the profile behind the executable's bytecode layout (scripts/build.ts,
 * `bytecodeOrder`): builds without a profile, starts the binary on a fresh data directory and again over the
 * existing database with BUN_BYTECODE_ORDER_OUT set, signs in through the consent page, obtains a token, and on
 * cavalier, in both protocol eras (2025 and 2026-07-28), lists the tools, calls `cavalier_list_tenants` and
 * `cavalier_create_deal`, sends a 2025 `ping`, fetches the other surfaces' catalogs, then stops it (the profile is
 * written on exit).
 *
 *   bun scripts/record-bytecode-order.ts && bun scripts/build.ts
 *
 * Record again when `bytecodeOrderStats()` (bun:jsc) shows many `cold` functions; an old profile still applies.
 * https://bun.com/docs/bundler/executables#profile-guided-bytecode-layout
 */
import { spawn, spawnSync, type Subprocess } from "bun";
import { copyFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseConfigText } from "../src/config/load";
import { freePort, tempDir, testConfigToml } from "../test/helpers/appliance";
import { authorizeViaForms, exchangeCode, registerTestClient } from "../test/helpers/oauth";
import { BYTECODE_ORDER_FILE } from "./build";

/** The MCP 2026-07-28 request envelope (`_meta` on every request). */
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "order-profile", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

const ROOT = resolve(import.meta.dir, "..");
const bin = join(ROOT, "dist/cavaridge");
const built = spawnSync([process.execPath, "scripts/build.ts", "--bytecode-order", "none"], {
  cwd: ROOT,
  stdout: "inherit",
  stderr: "inherit",
});
if (built.exitCode !== 0) process.exit(built.exitCode ?? 1);

const dir = tempDir("cavaridge-order-");
const publicPort = await freePort();
const adminPort = await freePort();
const toml = testConfigToml({ publicPort, adminPort, dbPath: join(dir, "data", "cavaridge.db") });
writeFileSync(join(dir, "config.toml"), toml);
const baseUrl = `http://127.0.0.1:${publicPort}`;

async function start(env: Record<string, string>): Promise<Subprocess> {
  const proc = spawn([bin, "serve", "--config", "config.toml"], {
    cwd: dir,
    stdout: "ignore",
    stderr: "ignore",
    env: { ...process.env, ...env },
  });
  for (const deadline = performance.now() + 30_000; performance.now() < deadline; await Bun.sleep(10)) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) return proc;
    } catch {
      // not listening yet
    }
  }
  throw new Error("the binary did not answer /healthz within 30 s");
}

try {
  const first = await start({});
  first.kill("SIGTERM");
  await first.exited;
  const app = await start({ BUN_BYTECODE_ORDER_OUT: join(dir, "run-%p.order") });
  const endpoint = { baseUrl, config: parseConfigText(toml, "config.toml") };
  const client = await registerTestClient(endpoint);
  const { location, verifier } = await authorizeViaForms(endpoint, {
    client,
    email: "admin@harbor-it.example",
    surface: "cavalier",
  });
  const tokenRes = await exchangeCode(endpoint, client, location.searchParams.get("code") ?? "", verifier);
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const headers = {
    authorization: `Bearer ${access_token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  const call = async (surface: string, method: string, params?: Record<string, unknown>, modern = false) => {
    const res = await fetch(`${baseUrl}/${surface}`, {
      method: "POST",
      headers: modern
        ? {
            ...headers,
            "mcp-protocol-version": "2026-07-28",
            "mcp-method": method,
            ...(typeof params?.name === "string" ? { "mcp-name": params.name } : {}),
          }
        : headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: modern ? { ...params, _meta: ENVELOPE } : params }),
    });
    if (res.status !== 200) throw new Error(`${surface} ${method}: ${res.status} ${await res.text()}`);
  };
  // What a connected client does in both protocol eras: list the tools, read, write (a deal), and a 2025 ping.
  const deal = (key: string) => ({
    name: "cavalier_create_deal",
    arguments: { tenant_id: "contosocare", name: "Order profile deal", idempotency_key: key },
  });
  for (const modern of [false, true]) {
    await call("cavalier", "tools/list", {}, modern);
    await call("cavalier", "tools/call", { name: "cavalier_list_tenants", arguments: {} }, modern);
    await call("cavalier", "tools/call", deal(modern ? "order-modern" : "order-legacy"), modern);
  }
  await call("cavalier", "ping");
  for (const surface of ["forge", "aegis"]) await fetch(`${baseUrl}/${surface}/list_tools`);
  app.kill("SIGTERM");
  await app.exited;
  const [recorded] = readdirSync(dir).filter((f) => f.startsWith("run-") && f.endsWith(".order"));
  if (!recorded) throw new Error("the binary wrote no bytecode-order profile");
  copyFileSync(join(dir, recorded), BYTECODE_ORDER_FILE);
  console.log(`wrote ${BYTECODE_ORDER_FILE}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
