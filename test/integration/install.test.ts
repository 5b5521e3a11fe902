/**
 * install.sh into a temporary root (--prefix), twice: the tree, the modes, and that a second run upgrades the
 * binary but never touches an operator's config or the master key (issue 2, item 7).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseConfigText } from "../../src/config/load";
import { tempDir } from "../helpers/appliance";

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

const modeOf = (path: string) => statSync(path).mode & 0o777;
const read = (rel: string) => readFileSync(join(root, rel), "utf8");

beforeAll(() => {
  work = tempDir("cavaridge-install-work-");
  root = join(work, "root");
  fakeBinary = join(work, "cavaridge-build");
  // A stand-in executable: install.sh copies bytes and sets modes, it does not run the binary in --prefix mode.
  writeFileSync(fakeBinary, "#!/bin/sh\necho cavaridge v1\n", { mode: 0o755 });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("install.sh --prefix", () => {
  let firstKey: string;

  test("lays out the binary, config, master key, data directory and systemd unit", () => {
    const r = install(["--prefix", root, "--binary", fakeBinary, "--no-user"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const bin = join(root, "usr/local/bin/cavaridge");
    expect(readFileSync(bin, "utf8")).toBe(readFileSync(fakeBinary, "utf8"));
    expect(modeOf(bin)).toBe(0o755);

    // The config: the example with its checkout-relative paths pointed at the installed locations (no prefix).
    const configPath = join(root, "etc/cavaridge/config.toml");
    expect(modeOf(configPath)).toBe(0o640);
    const config = parseConfigText(read("etc/cavaridge/config.toml"), configPath);
    expect(config.database.url).toBe("file:/var/lib/cavaridge/cavaridge.db");
    expect(config.secrets.master_key_file).toBe("/etc/cavaridge/master.key");
    const example = parseConfigText(readFileSync(join(ROOT, "config.example.toml"), "utf8"), "config.example.toml");
    expect(config.tenants).toEqual(example.tenants);
    expect(config.users).toEqual(example.users);
    expect(read("etc/cavaridge/config.toml")).not.toContain(root);

    // The master key: 32 random bytes, base64, owner-only.
    const keyPath = join(root, "etc/cavaridge/master.key");
    expect(modeOf(keyPath)).toBe(0o600);
    firstKey = readFileSync(keyPath, "utf8");
    expect(firstKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(firstKey, "base64").length).toBe(32);

    expect(statSync(join(root, "var/lib/cavaridge")).isDirectory()).toBe(true);
    expect(modeOf(join(root, "var/lib/cavaridge"))).toBe(0o750);

    const unit = read("etc/systemd/system/cavaridge.service");
    expect(unit).toContain("ExecStart=/usr/local/bin/cavaridge serve --config /etc/cavaridge/config.toml\n");
    expect(unit).toContain("User=cavaridge\n");
    expect(unit).toContain("ReadWritePaths=/var/lib/cavaridge\n");
    expect(unit).toContain("NoNewPrivileges=true\n");
    expect(unit).toContain("ProtectSystem=strict\n");
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("WantedBy=multi-user.target\n");
    expect(unit).not.toContain(root);
  });

  test("a second run upgrades the binary but keeps an edited config and the master key", () => {
    const configPath = join(root, "etc/cavaridge/config.toml");
    appendFileSync(configPath, "\n# edited by the operator\n");
    const edited = readFileSync(configPath, "utf8");
    const unitBefore = read("etc/systemd/system/cavaridge.service");
    writeFileSync(fakeBinary, "#!/bin/sh\necho cavaridge v2\n", { mode: 0o755 });

    const r = install(["--prefix", root, "--binary", fakeBinary, "--no-user"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("keeping existing");

    expect(readFileSync(configPath, "utf8")).toBe(edited);
    expect(read("etc/cavaridge/master.key")).toBe(firstKey);
    expect(modeOf(join(root, "etc/cavaridge/master.key"))).toBe(0o600);
    expect(read("usr/local/bin/cavaridge")).toContain("cavaridge v2");
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
