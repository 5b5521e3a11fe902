import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, parseConfigText } from "../../../src/config/load";
import { startTestAppliance, testConfigToml, type TestAppliance } from "../../helpers/appliance";

/** The admin listener stays on loopback unless the config says otherwise explicitly. */
describe("admin listener binding", () => {
  const toml = (admin: string) =>
    testConfigToml({ publicPort: 8787, adminPort: 8788, dbPath: "/tmp/x.db" }).replace(
      /\[admin\]\nlisten = "[^"]+"\n/,
      `[admin]\n${admin}\n`,
    );

  test("a non-loopback admin.listen is refused, naming the key and the way out", () => {
    for (const listen of ["0.0.0.0:8788", "192.168.1.10:8788", "[::]:8788", "admin.example.com:8788"]) {
      let err: unknown;
      try {
        parseConfigText(toml(`listen = "${listen}"`), "test.toml");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const problem = (err as ConfigError).problems.find((p) => p.path === "admin.listen");
      expect(problem?.message).toContain("allow_remote");
    }
  });

  test("loopback addresses are accepted; a non-loopback one only with admin.allow_remote = true", () => {
    for (const listen of ["127.0.0.1:8788", "localhost:8788", "[::1]:8788", "127.0.0.2:8788"]) {
      expect(parseConfigText(toml(`listen = "${listen}"`), "test.toml").admin.listen).toBe(listen);
    }
    const remote = parseConfigText(toml(`listen = "0.0.0.0:8788"\nallow_remote = true`), "test.toml");
    expect(remote.admin).toMatchObject({ listen: "0.0.0.0:8788", allow_remote: true });
  });

  test("the environment cannot silently expose it either", () => {
    const dir = mkdtempSync(join(tmpdir(), "cavaridge-admin-cfg-"));
    const file = join(dir, "c.toml");
    writeFileSync(file, toml(`listen = "127.0.0.1:8788"`));
    expect(() => loadConfig(file, { CAVARIDGE_ADMIN_LISTEN: "0.0.0.0:8788" })).toThrow(ConfigError);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the running appliance", () => {
  let app: TestAppliance;
  beforeAll(async () => {
    app = await startTestAppliance();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  test("serves the admin console only on the admin listener, never on the public one", async () => {
    expect((await fetch(`${app.adminUrl}/sign-in`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/sign-in`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/api/mcp/servers`)).status).toBe(404);
    expect(new URL(app.adminUrl).hostname).toBe("127.0.0.1");
  });
});
