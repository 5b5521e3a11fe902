/**
 * The compiled single executable, run the way an operator runs it: copied ALONE into an empty directory
 * with a config file, with no Bun, Node or node_modules on PATH. This is the proof that scripts/build.ts
 * embeds libSQL's native addon: without the pinning plugin the binary cannot open the
 * store and /readyz never answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@libsql/client";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { PUBLISHED_DEMO_HASHES } from "../../src/demo/exposure";
import { freePort, tempDir, TEST_PASSWORD_HASH } from "../helpers/appliance";
import { CookieJar, fetchWithJar, formBody, hiddenInputs } from "../helpers/oauth";

const ROOT = resolve(import.meta.dir, "../..");
/** What the binary sees: the system's tools only, nothing from this repository or the developer's shell. */
const BARE_ENV = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" };

let buildDir: string;
let dir: string;
let bin: string;
let publicPort: number;
let adminPort: number;

function configToml(opts: { publicPort: number; adminPort: number; role?: string }): string {
  return `
[server]
public_url = "http://127.0.0.1:${opts.publicPort}"
listen = "127.0.0.1:${opts.publicPort}"

[admin]
listen = "127.0.0.1:${opts.adminPort}"

[database]
url = "file:./data/cavaridge.db"

[secrets]
master_key_file = "./master.key"

[log]
level = "info"

[[tenants]]
id = "harbor-it"
name = "Harbor IT Services"
kind = "msp"

[[tenants]]
id = "contosocare"
name = "ContosoCare Clinic"
kind = "client"
parent = "harbor-it"

[[users]]
email = "admin@harbor-it.example"
name = "Morgan Admin"
tenant = "harbor-it"
role = "${opts.role ?? "msp_admin"}"
password_hash = "${TEST_PASSWORD_HASH}"
`;
}

/** Runs the binary to completion from the temp dir with the bare environment. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([bin, ...args], { cwd: dir, env: BARE_ENV, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** The environment a process was started (or last exec'd) with, one VAR=value per entry. */
function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
}

async function waitFor200(url: string, deadlineMs: number, proc: { exitCode: number | null }): Promise<Response> {
  let last = "no answer";
  while (Date.now() < deadlineMs) {
    if (proc.exitCode !== null) throw new Error(`the binary exited with ${proc.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return res;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await Bun.sleep(100);
  }
  throw new Error(`${url} never answered 200 (last: ${last})`);
}

beforeAll(async () => {
  // Build into a private directory, so a concurrent `npm run build` cannot swap the file under this test.
  buildDir = tempDir("cavaridge-build-");
  const build = Bun.spawnSync(
    [process.execPath, join(ROOT, "scripts/build.ts"), "--outfile", join(buildDir, "cavaridge")],
    {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  if (build.exitCode !== 0) throw new Error(`build failed:\n${build.stdout.toString()}\n${build.stderr.toString()}`);

  dir = tempDir("cavaridge-bin-");
  bin = join(dir, "cavaridge");
  copyFileSync(join(buildDir, "cavaridge"), bin);
  Bun.spawnSync(["chmod", "0755", bin]);
  publicPort = await freePort();
  adminPort = await freePort();
  writeFileSync(join(dir, "config.toml"), configToml({ publicPort, adminPort }));
  mkdirSync(join(dir, "bad"));
  writeFileSync(join(dir, "bad", "config.toml"), configToml({ publicPort, adminPort, role: "superuser" }));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

describe("the compiled binary, alone in an empty directory", () => {
  test("prints its version without Bun or Node on PATH", async () => {
    const { code, stdout } = await run(["version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`cavaridge ${pkg.version}`);
  });

  test("config check accepts a good file", async () => {
    const { code, stdout } = await run(["config", "check", "--config", "config.toml"]);
    expect(code).toBe(0);
    expect(stdout).toContain("ok (2 tenants, 1 users");
  });

  test("config check names the bad key and exits 1 without a stack trace", async () => {
    const { code, stderr } = await run(["config", "check", "--config", "bad/config.toml"]);
    expect(code).toBe(1);
    expect(stderr).toContain("users[0].role");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test("serves /healthz and /readyz from its embedded libSQL file, then shuts down cleanly on SIGTERM", async () => {
    const proc = Bun.spawn([bin, "serve", "--config", "config.toml"], {
      cwd: dir,
      env: BARE_ENV,
      stdout: "pipe",
      stderr: "pipe",
    });
    const stdout = new Response(proc.stdout).text();
    const stderr = new Response(proc.stderr).text();
    try {
      const deadline = Date.now() + 20_000;
      const health = await waitFor200(`http://127.0.0.1:${publicPort}/healthz`, deadline, proc);
      expect(await health.json()).toEqual({ status: "ok" });
      // /readyz needs the store open and every embedded migration applied: this is what the native addon enables.
      const ready = await waitFor200(`http://127.0.0.1:${publicPort}/readyz`, deadline, proc);
      expect(await ready.json()).toEqual({ status: "ready" });
      // The relative database url resolves against the working directory, i.e. the empty directory.
      expect(existsSync(join(dir, "data", "cavaridge.db"))).toBe(true);
      // serve replaced itself in place (same PID, so the SIGTERM below reaches it) to run with its heap options.
      if (process.platform === "linux") expect(environOf(proc.pid)).toContain("BUN_JSC_heapGrowthMaxIncrease=0.5");
      // The store opened with the addon the executable carries compressed (src/store/embedded-addon.ts): mapped from
      // a private temp file that is already unlinked, its directory gone; not from a copy Bun extracted.
      if (process.platform === "linux") {
        const maps = readFileSync(`/proc/${proc.pid}/maps`, "utf8");
        const addon = /\s(\/\S*\/cavaridge-addon-[^/\s]+)\/index\.node \(deleted\)$/m.exec(maps);
        expect(addon).not.toBeNull();
        expect(existsSync(addon![1]!)).toBe(false);
        expect(maps).not.toMatch(/\.bun-[^/\s]*\.node/);
      }

      // The container HEALTHCHECK: the binary probes its own listener from the config.
      const probe = await run(["healthcheck", "--config", "config.toml"]);
      expect(probe.code).toBe(0);
      expect(probe.stdout).toContain(`http://127.0.0.1:${publicPort}/readyz 200`);
    } finally {
      proc.kill("SIGTERM");
    }
    const exited = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "timeout" as const)]);
    if (exited === "timeout") proc.kill("SIGKILL");
    expect(exited).toBe(0);
    const logs = await stdout;
    expect(logs).toContain('"msg":"listening"');
    expect(logs).toContain('"signal":"SIGTERM"');
    expect(await stderr).not.toContain("Cannot find module");

    const afterStop = await run(["healthcheck", "--url", `http://127.0.0.1:${publicPort}/readyz`, "--timeout", "2"]);
    expect(afterStop.code).toBe(1);
    expect(afterStop.stderr).toContain("unhealthy");
  }, 45_000);

  test.if(process.platform === "linux")(
    "serve keeps a heap option the operator set instead of its own",
    async () => {
      const proc = Bun.spawn([bin, "serve", "--config", "config.toml"], {
        cwd: dir,
        env: { ...BARE_ENV, BUN_JSC_heapGrowthMaxIncrease: "2" },
        stdout: "ignore",
        stderr: "ignore",
      });
      try {
        await waitFor200(`http://127.0.0.1:${publicPort}/healthz`, Date.now() + 20_000, proc);
        const environ = environOf(proc.pid);
        expect(environ).toContain("BUN_JSC_heapGrowthMaxIncrease=2");
        expect(environ).not.toContain("BUN_JSC_heapGrowthMaxIncrease=0.5");
      } finally {
        proc.kill("SIGTERM");
        await proc.exited;
      }
    },
    30_000,
  );

  test("migrate through the binary finds the database already up to date", async () => {
    const { code, stdout } = await run(["migrate", "--config", "config.toml"]);
    expect(code).toBe(0);
    expect(stdout).toContain("up to date");
  });
});

describe("first run of the installed binary: install.sh, then serve on a public https URL", () => {
  let prefix: string;
  let password: string;
  const PUBLIC_URL = "https://mcp.example.com";
  const env = (port: number, admin: number) => ({
    ...BARE_ENV,
    CAVARIDGE_SERVER_PUBLIC_URL: PUBLIC_URL,
    CAVARIDGE_SERVER_LISTEN: `127.0.0.1:${port}`,
    CAVARIDGE_ADMIN_LISTEN: `127.0.0.1:${admin}`,
    CAVARIDGE_DATABASE_URL: `file:${join(prefix, "var/lib/cavaridge/cavaridge.db")}`,
    CAVARIDGE_SECRETS_MASTER_KEY_FILE: join(prefix, "etc/cavaridge/master.key"),
  });

  test("install.sh --prefix DIR --no-user writes a production config with the binary and prints the admin password", () => {
    prefix = join(dir, "root");
    const r = Bun.spawnSync([join(ROOT, "install.sh"), "--prefix", prefix, "--no-user", "--binary", bin], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    password = /password for admin@example\.com \(shown once[^)]*\): (\S+)/.exec(r.stdout.toString())![1]!;
    const config = readFileSync(join(prefix, "etc/cavaridge/config.toml"), "utf8");
    expect(config).not.toContain(password);
    for (const hash of PUBLISHED_DEMO_HASHES) expect(config).not.toContain(hash);
  });

  test("serve starts with no demo user and no demo data, and the admin signs in with the printed password", async () => {
    const port = await freePort();
    const admin = await freePort();
    const proc = Bun.spawn([bin, "serve", "--config", join(prefix, "etc/cavaridge/config.toml")], {
      cwd: dir,
      env: env(port, admin),
      stdout: "pipe",
      stderr: "pipe",
    });
    const stderr = new Response(proc.stderr).text();
    try {
      await waitFor200(`http://127.0.0.1:${port}/readyz`, Date.now() + 20_000, proc);
      const jar = new CookieJar();
      const form = await fetchWithJar(jar, `http://127.0.0.1:${admin}/sign-in`);
      const signIn = await fetchWithJar(
        jar,
        `http://127.0.0.1:${admin}/sign-in`,
        formBody({ ...hiddenInputs(await form.text()), email: "admin@example.com", password }),
      );
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get("location")).toBe("/connections");
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    expect(await stderr).toContain(`${PUBLIC_URL}/cavalier`);
    const db = createClient({ url: `file:${join(prefix, "var/lib/cavaridge/cavaridge.db")}` });
    try {
      const users = await db.execute("SELECT email, role, password_hash FROM users");
      expect(users.rows.map((u) => [u.email, u.role])).toEqual([["admin@example.com", "platform_admin"]]);
      expect(PUBLISHED_DEMO_HASHES.has(String(users.rows[0]!.password_hash))).toBe(false);
      const tenants = await db.execute("SELECT id FROM tenants");
      expect(tenants.rows.map((t) => t.id)).toEqual(["my-msp"]);
      for (const table of [
        "cavalier_products",
        "cavalier_contacts",
        "cavalier_deals",
        "cavalier_quotes",
        "aegis_findings",
        "forge_documents",
      ])
        expect(Number((await db.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n)).toBe(0);
      expect((await db.execute("SELECT key FROM store_meta WHERE key = 'demo.seed'")).rows).toEqual([]);
    } finally {
      db.close();
    }
  }, 45_000);

  test("the demo config with the same public URL refuses to start", async () => {
    copyFileSync(join(ROOT, "config.example.toml"), join(dir, "demo.toml"));
    const port = await freePort();
    const admin = await freePort();
    const proc = Bun.spawn([bin, "serve", "--config", "demo.toml"], {
      cwd: dir,
      env: {
        ...env(port, admin),
        CAVARIDGE_DATABASE_URL: "file:./demo/cavaridge.db",
        CAVARIDGE_SECRETS_MASTER_KEY_FILE: "./demo/master.key",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(1);
    expect(err).toContain("refusing to start");
    expect(err).toContain("platform@harbor-it.example");
    expect(err).toContain("[demo] seed = true");
    expect(existsSync(join(dir, "demo", "cavaridge.db"))).toBe(false);
  });
});
