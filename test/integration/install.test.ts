/**
 * install.sh into a temporary root (--prefix), twice: the tree, the modes, the production config written by
 * `cavaridge init`, and that a second run backs the database up, upgrades the binary, and never touches an
 * operator's config or the master key. The "binary" is a shell wrapper around the CLI from source, so this file
 * needs no build (test/integration/binary.test.ts runs install.sh with the compiled executable).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseConfigText } from "../../src/config/load";
import { PUBLISHED_DEMO_HASHES } from "../../src/demo/exposure";
import { tempDir } from "../helpers/appliance";
import { runCliProcess } from "../helpers/cli-process";

const ROOT = resolve(import.meta.dir, "../..");
const INSTALL = join(ROOT, "install.sh");

let root: string;
let work: string;
let fakeBinary: string;

function install(args: string[]): { code: number; stdout: string; stderr: string } {
  const proc = Bun.spawnSync([INSTALL, ...args], {
    cwd: work,
    env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const wrapper = (version: string) =>
  `#!/bin/sh\n# cavaridge ${version}\nexec "${process.execPath}" "${join(ROOT, "src/main.ts")}" "$@"\n`;
const modeOf = (path: string) => statSync(path).mode & 0o777;
const read = (rel: string) => readFileSync(join(root, rel), "utf8");

beforeAll(() => {
  work = tempDir("cavaridge-install-work-");
  root = join(work, "root");
  fakeBinary = join(work, "cavaridge-build");
  // The real CLI from source behind a wrapper; "# v1" makes the bytes differ between the two installs.
  writeFileSync(fakeBinary, wrapper("v1"), { mode: 0o755 });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("install.sh --prefix", () => {
  let firstKey: string;

  test("lays out the binary, a production config, master key, data directory and systemd unit", async () => {
    const r = install([
      "--prefix",
      root,
      "--binary",
      fakeBinary,
      "--no-user",
      "--public-url",
      "https://mcp.harbor.example",
      "--msp-name",
      "Harbor IT",
      "--admin-email",
      "ops@harbor.example",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("set server.public_url");

    const bin = join(root, "usr/local/bin/cavaridge");
    expect(readFileSync(bin, "utf8")).toBe(readFileSync(fakeBinary, "utf8"));
    expect(modeOf(bin)).toBe(0o755);

    // The config: written by `cavaridge init` with the installed locations (no prefix), no demo.
    const configPath = join(root, "etc/cavaridge/config.toml");
    expect(modeOf(configPath)).toBe(0o640);
    const config = parseConfigText(read("etc/cavaridge/config.toml"), configPath);
    expect(config.database.url).toBe("file:/var/lib/cavaridge/cavaridge.db");
    expect(config.secrets.master_key_file).toBe("/etc/cavaridge/master.key");
    expect(config.server.public_url).toBe("https://mcp.harbor.example");
    expect(config.demo.seed).toBe(false);
    expect(config.tenants.map((t) => [t.id, t.kind])).toEqual([["harbor-it", "msp"]]);
    expect(config.users.map((u) => [u.email, u.role])).toEqual([["ops@harbor.example", "platform_admin"]]);
    expect(PUBLISHED_DEMO_HASHES.has(config.users[0]!.password_hash)).toBe(false);
    const password = /\(shown once[^)]*\): (\S+)/.exec(r.stdout)![1]!;
    expect(await Bun.password.verify(password, config.users[0]!.password_hash)).toBe(true);
    expect(read("etc/cavaridge/config.toml")).not.toContain(root);
    expect(read("etc/cavaridge/config.toml")).not.toContain(password);

    // The master key: 32 random bytes, owner-only, created by init under the prefix.
    const keyPath = join(root, "etc/cavaridge/master.key");
    expect(modeOf(keyPath)).toBe(0o600);
    firstKey = readFileSync(keyPath, "utf8");
    expect(Buffer.from(firstKey.trim(), "base64url").length).toBe(32);

    expect(statSync(join(root, "var/lib/cavaridge")).isDirectory()).toBe(true);
    expect(modeOf(join(root, "var/lib/cavaridge"))).toBe(0o750);

    const unit = read("etc/systemd/system/cavaridge.service");
    expect(unit).toContain("ExecStart=/usr/local/bin/cavaridge serve --config /etc/cavaridge/config.toml\n");
    expect(unit).toContain("ExecReload=/bin/kill -HUP $MAINPID\n");
    expect(unit).toContain("User=cavaridge\n");
    expect(unit).toContain("ReadWritePaths=/var/lib/cavaridge\n");
    expect(unit).toContain("NoNewPrivileges=true\n");
    expect(unit).toContain("ProtectSystem=strict\n");
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("WantedBy=multi-user.target\n");
    expect(unit).not.toContain(root);
  });

  test("a second run backs the database up, upgrades the binary, and keeps an edited config and the master key", async () => {
    const configPath = join(root, "etc/cavaridge/config.toml");
    // A database as the first start would leave it (migrated, config synced).
    const migrate = await runCliProcess(["migrate", "--config", configPath], {
      cwd: work,
      env: { CAVARIDGE_DATABASE_URL: `file:${join(root, "var/lib/cavaridge/cavaridge.db")}` },
    });
    expect(migrate.code).toBe(0);
    appendFileSync(configPath, "\n# edited by the operator\n");
    const edited = readFileSync(configPath, "utf8");
    const unitBefore = read("etc/systemd/system/cavaridge.service");
    writeFileSync(fakeBinary, wrapper("v2"), { mode: 0o755 });

    const r = install(["--prefix", root, "--binary", fakeBinary, "--no-user"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("keeping existing");
    expect(r.stdout).toContain("backed up the database to");
    const backups = readdirSync(join(root, "var/lib/cavaridge/backups"));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^pre-upgrade-\d{8}T\d{6}Z\.db$/);
    expect(modeOf(join(root, "var/lib/cavaridge/backups", backups[0]!))).toBe(0o600);
    expect(r.stdout.indexOf("backed up")).toBeLessThan(r.stdout.indexOf("installed"));

    expect(readFileSync(configPath, "utf8")).toBe(edited);
    expect(read("etc/cavaridge/master.key")).toBe(firstKey);
    expect(modeOf(join(root, "etc/cavaridge/master.key"))).toBe(0o600);
    expect(read("usr/local/bin/cavaridge")).toContain("cavaridge v2");
    expect(existsSync(join(root, "var/lib/cavaridge/cavaridge.db"))).toBe(true);
    expect(read("etc/systemd/system/cavaridge.service")).toBe(unitBefore);
  });

  test("refuses a missing binary with a clear message and a non-zero exit", () => {
    const r = install(["--prefix", join(work, "other-root"), "--binary", join(work, "nope"), "--no-user"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("binary not found");
  });

  test("--help documents --prefix and an unknown option is refused", () => {
    const help = install(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--prefix DIR");
    const bad = install(["--frobnicate"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("unknown option: --frobnicate");
  });
});
