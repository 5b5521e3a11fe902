import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir, TEST_PASSWORD_HASH, testConfigToml } from "../../helpers/appliance";

const root = join(import.meta.dir, "../../..");
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], stdin?: string, env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, join(root, "src/main.ts"), ...args], {
    cwd: dir,
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { out, err, code };
}

describe("cavaridge CLI", () => {
  test("--help lists every command; an unknown command exits 1", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const c of ["serve", "migrate", "config check", "user hash-password", "version"])
      expect(help.out).toContain(c);
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('unknown command "frobnicate"');
  });

  test("version prints the package version", async () => {
    const r = await cli(["version"]);
    expect(r.out).toMatch(/^cavaridge \d+\.\d+\.\d+/);
  });

  test("config check: a missing file is a clear error, not a stack trace", async () => {
    const r = await cli(["config", "check", "--config", join(dir, "nope.toml")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("file not found");
    expect(r.err).not.toContain("    at ");
  });

  test("config check prints every problem with its key path and exits 1", async () => {
    const bad = join(dir, "bad.toml");
    writeFileSync(
      bad,
      `[server]\npublic_url = "https://x.example"\nbogus = 1\n[[tenants]]\nid = "a"\nname = "A"\nkind = "client"\n`,
    );
    const r = await cli(["config", "check", "--config", bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("server.bogus");
    expect(r.err).toContain("tenants[0].id");
    expect(r.err).toContain("tenants[0].parent");
  });

  test("config check accepts config.example.toml", async () => {
    const r = await cli(["config", "check", "--config", join(root, "config.example.toml")]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("ok");
  });

  test("user hash-password reads stdin and prints a verifiable argon2id hash", async () => {
    const r = await cli(["user", "hash-password"], "correct horse battery\n");
    expect(r.code).toBe(0);
    const hash = r.out.trim();
    expect(hash).toStartWith("$argon2id$");
    expect(await Bun.password.verify("correct horse battery", hash)).toBe(true);
    expect((await cli(["user", "hash-password"], "short")).code).toBe(1);
  });

  test("serve refuses a database path that cannot be written, with a clear message", async () => {
    const cfg = join(dir, "unwritable.toml");
    const port = await freePort();
    writeFileSync(cfg, testConfigToml({ publicPort: port, adminPort: port + 1, dbPath: "/proc/cavaridge/db.sqlite" }));
    const r = await cli(["serve", "--config", cfg]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("database");
    expect(r.err).not.toContain("    at ");
  });

  test("serve answers /healthz and /readyz, migrate is idempotent, SIGTERM shuts down cleanly", async () => {
    const publicPort = await freePort();
    const adminPort = await freePort();
    const cfg = join(dir, "ok.toml");
    writeFileSync(cfg, testConfigToml({ publicPort, adminPort, dbPath: join(dir, "serve.db") }));
    const migrate1 = await cli(["migrate", "--config", cfg]);
    expect(migrate1.code).toBe(0);
    expect(migrate1.out).toContain("applied");
    expect((await cli(["migrate", "--config", cfg])).out).toContain("up to date");

    const proc = Bun.spawn([process.execPath, join(root, "src/main.ts"), "serve", "--config", cfg], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    try {
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${publicPort}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await Bun.sleep(100);
      }
      expect(ready).toBe(true);
      const health = await fetch(`http://127.0.0.1:${publicPort}/healthz`);
      expect(await health.json()).toEqual({ status: "ok" });
      expect(health.headers.get("x-request-id")).toMatch(/^req_/);
      expect((await fetch(`http://127.0.0.1:${adminPort}/healthz`)).status).toBe(200);
    } finally {
      proc.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
    const logs = await new Response(proc.stdout).text();
    const lines = logs
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain("shutting down");
    expect(logs).not.toContain(TEST_PASSWORD_HASH);
  });
});
