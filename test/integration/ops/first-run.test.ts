/**
 * The first run: the demo refused off loopback, the human start banner, `cavaridge init` and
 * `serve --init-if-missing`, all through the real CLI in a child process.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../../src/config/load";
import { PUBLISHED_DEMO_HASHES } from "../../../src/demo/exposure";
import { freePort, tempDir, TEST_PASSWORD, testConfigToml } from "../../helpers/appliance";
import { runCliProcess, spawnCli } from "../../helpers/cli-process";
import { CookieJar, fetchWithJar, formBody, hiddenInputs } from "../../helpers/oauth";

const dir = tempDir("cavaridge-first-run-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

async function signIn(adminUrl: string, email: string, password: string): Promise<Response> {
  const jar = new CookieJar();
  const form = await fetchWithJar(jar, `${adminUrl}/sign-in`);
  return await fetchWithJar(
    jar,
    `${adminUrl}/sign-in`,
    formBody({ ...hiddenInputs(await form.text()), email, password }),
  );
}

async function demoConfig(name: string) {
  const publicPort = await freePort();
  const adminPort = await freePort();
  const path = join(dir, `${name}.toml`);
  writeFileSync(path, testConfigToml({ publicPort, adminPort, dbPath: join(dir, `${name}.db`) }));
  return { path, publicPort, adminPort };
}

describe("serve refuses the demo off loopback", () => {
  test("demo accounts on a public https URL: exit 1, the accounts and the fix named, nothing listening", async () => {
    const c = await demoConfig("public");
    const r = await runCliProcess(["serve", "--config", c.path], {
      cwd: dir,
      env: { CAVARIDGE_SERVER_PUBLIC_URL: "https://mcp.example.com", CAVARIDGE_DEMO_SEED: "off" },
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain("refusing to start");
    expect(r.err).toContain("admin@harbor-it.example");
    expect(r.err).toContain("cavaridge user set-password");
    expect(r.err).not.toContain("[demo] seed = true");
    expect(existsSync(join(dir, "public.db"))).toBe(false);
  });

  test("the demo seed alone on a 0.0.0.0 listener is refused too", async () => {
    const c = await demoConfig("seed-only");
    const text = readFileSync(c.path, "utf8").replace(/\[\[users\]\][\s\S]*?(?=\[demo\])/, "");
    writeFileSync(c.path, text);
    const r = await runCliProcess(["serve", "--config", c.path], {
      cwd: dir,
      env: { CAVARIDGE_SERVER_LISTEN: `0.0.0.0:${c.publicPort}` },
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain("[demo] seed = true");
  });

  test("on loopback the demo starts, and the banner names the surfaces, the admin page, the demo sign-in and the https note; probes are not logged at info", async () => {
    const c = await demoConfig("loopback");
    const serve = spawnCli(["serve", "--config", c.path], { cwd: dir });
    await serve.waitFor(`http://127.0.0.1:${c.publicPort}/readyz`);
    await fetch(`http://127.0.0.1:${c.publicPort}/healthz`);
    const r = await serve.stop();
    expect(r.code).toBe(0);
    expect(r.err).toContain(`cavalier  http://127.0.0.1:${c.publicPort}/cavalier`);
    expect(r.err).toContain(`Admin page:  http://127.0.0.1:${c.adminPort}/`);
    expect(r.err).toContain(`Demo sign-in: platform@harbor-it.example / ${TEST_PASSWORD}`);
    expect(r.err).toContain("ChatGPT and Claude need https on 443");
    expect(r.out).toContain('"msg":"listening"');
    expect(r.out).not.toContain('"path":"/healthz"');
    expect(r.out).not.toContain('"path":"/readyz"');
  }, 60_000);
});

describe("cavaridge init", () => {
  test("writes a production config with one MSP and one platform admin, prints the password once, creates the master key 0600", async () => {
    const path = join(dir, "init", "config.toml");
    const r = await runCliProcess(
      [
        "init",
        "--config",
        path,
        "--public-url",
        "https://mcp.harbor.example",
        "--msp-name",
        "Harbor IT Services",
        "--admin-email",
        "ops@harbor.example",
        "--database-url",
        `file:${join(dir, "init", "data", "cavaridge.db")}`,
        "--master-key-file",
        join(dir, "init", "master.key"),
      ],
      { cwd: dir },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const password = /password for ops@harbor\.example \(shown once[^)]*\): (\S+)/.exec(r.out)?.[1];
    expect(password).toBeDefined();
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain(password!);
    expect(modeOf(path)).toBe(0o640);
    const config = parseConfigText(text, path);
    expect(config.demo.seed).toBe(false);
    expect(config.server.public_url).toBe("https://mcp.harbor.example");
    expect(config.tenants).toEqual([expect.objectContaining({ id: "harbor-it-services", kind: "msp" })]);
    expect(config.users).toHaveLength(1);
    const admin = config.users[0]!;
    expect(admin).toMatchObject({ email: "ops@harbor.example", role: "platform_admin", tenant: "harbor-it-services" });
    expect(PUBLISHED_DEMO_HASHES.has(admin.password_hash)).toBe(false);
    expect(await Bun.password.verify(password!, admin.password_hash)).toBe(true);
    expect(modeOf(join(dir, "init", "master.key"))).toBe(0o600);
    expect(readFileSync(join(dir, "init", "master.key"), "utf8").trim().length).toBeGreaterThanOrEqual(43);

    const again = await runCliProcess(["init", "--config", path], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.err).toContain("already exists");
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  test("a bad flag is named and nothing is written", async () => {
    const path = join(dir, "init-bad", "config.toml");
    const r = await runCliProcess(
      ["init", "--config", path, "--admin-email", "not-an-email", "--master-key-file", join(dir, "init-bad", "k")],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain("--admin-email");
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(dir, "init-bad", "k"))).toBe(false);
  });

  test("serve --init-if-missing on an empty volume initialises, keeps the password out of the log, and serves; the admin signs in", async () => {
    const vol = join(dir, "volume");
    const publicPort = await freePort();
    const adminPort = await freePort();
    const serve = spawnCli(["serve", "--init-if-missing", "--config", join(vol, "etc", "config.toml")], {
      cwd: dir,
      env: {
        CAVARIDGE_SERVER_PUBLIC_URL: "https://mcp.example.com",
        CAVARIDGE_SERVER_LISTEN: `127.0.0.1:${publicPort}`,
        CAVARIDGE_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
        CAVARIDGE_DATABASE_URL: `file:${join(vol, "data", "cavaridge.db")}`,
        CAVARIDGE_SECRETS_MASTER_KEY_FILE: join(vol, "etc", "master.key"),
      },
    });
    let stopped = false;
    try {
      await serve.waitFor(`http://127.0.0.1:${publicPort}/healthz`);
      const passwordFile = join(vol, "etc", "initial-admin-password");
      expect(modeOf(passwordFile)).toBe(0o600);
      const password = readFileSync(passwordFile, "utf8").trim();
      const config = parseConfigText(readFileSync(join(vol, "etc", "config.toml"), "utf8"), "c");
      expect(config.server.public_url).toBe("https://mcp.example.com");
      expect(config.database.url).toBe(`file:${join(vol, "data", "cavaridge.db")}`);
      const res = await signIn(`http://127.0.0.1:${adminPort}`, "admin@example.com", password);
      expect(res.status).toBe(303);
      const r = await serve.stop();
      stopped = true;
      expect(r.code).toBe(0);
      expect(r.out).toContain(passwordFile);
      expect(r.out + r.err).not.toContain(password);
      expect(r.err).toContain("https://mcp.example.com/forge");
      expect(r.err).not.toContain("Demo sign-in");
    } finally {
      if (!stopped) await serve.stop();
    }
  }, 60_000);
});
