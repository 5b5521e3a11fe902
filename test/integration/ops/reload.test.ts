/**
 * Reload without restart: SIGHUP re-reads the config, applies tenants and users (revoking a disabled user's grants at
 * once), reports keys that need a restart, and keeps running on the old config when the new one is invalid.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../../src/shared/log";
import {
  freePort,
  startTestAppliance,
  TEST_PASSWORD,
  TEST_PASSWORD_HASH,
  type TestAppliance,
  tempDir,
  testConfigToml,
} from "../../helpers/appliance";
import { spawnCli } from "../../helpers/cli-process";
import { CookieJar, fetchWithJar, formBody, hiddenInputs, obtainTokens } from "../../helpers/oauth";

setDefaultTimeout(60_000);

const NEW_USER = `[[users]]\nemail = "late@harbor-it.example"\nname = "Late"\ntenant = "harbor-it"\nrole = "msp_admin"\npassword_hash = "${TEST_PASSWORD_HASH}"\n`;

async function adminSignIn(adminUrl: string, email: string): Promise<number> {
  const jar = new CookieJar();
  const form = await fetchWithJar(jar, `${adminUrl}/sign-in`);
  const res = await fetchWithJar(
    jar,
    `${adminUrl}/sign-in`,
    formBody({ ...hiddenInputs(await form.text()), email, password: TEST_PASSWORD }),
  );
  return res.status;
}

describe("reloadConfig on a running appliance", () => {
  let app: TestAppliance;
  let path: string;
  let base: string;
  const lines: string[] = [];
  beforeAll(async () => {
    app = await startTestAppliance({
      env: { CAVARIDGE_DEMO_SEED: "off" },
      log: createLogger("info", {}, (line) => lines.push(line)),
    });
    path = join(app.dir, "config.toml");
    base = testConfigToml({
      publicPort: app.publicPort,
      adminPort: app.adminPort!,
      dbPath: app.dbPath,
      demoSeed: false,
    });
    writeFileSync(path, base);
  });
  afterAll(async () => {
    await app?.close();
  });

  test("a user added to the file can sign in after reload, not before", async () => {
    expect(await adminSignIn(app.adminUrl, "late@harbor-it.example")).toBe(401);
    writeFileSync(path, `${base}\n${NEW_USER}`);
    const result = await app.reload(path, {});
    expect(result).toMatchObject({ status: "applied", restartNeeded: [] });
    expect(await adminSignIn(app.adminUrl, "late@harbor-it.example")).toBe(303);
  });

  test("a user removed from the file loses every grant at once", async () => {
    const tokens = await obtainTokens(app, { email: "late@harbor-it.example", surface: "cavalier" });
    expect(await app.oauth.verifier.verify(tokens.access_token, "cavalier")).toBeDefined();
    writeFileSync(path, base);
    const result = await app.reload(path, {});
    expect(result).toMatchObject({ status: "applied", revokedGrants: 1 });
    await expect(app.oauth.verifier.verify(tokens.access_token, "cavalier")).rejects.toMatchObject({
      code: "invalid_token",
    });
    const grant = await app.ctx.store.client.execute({
      sql: "SELECT revoked_at FROM oauth_grants WHERE id = ?",
      args: [tokens.grant_id],
    });
    expect(grant.rows[0]!.revoked_at).not.toBeNull();
  });

  test("listeners, public_url and the database are logged as restart needed and keep their running value; [oauth] applies", async () => {
    const changed = base
      .replace(`public_url = "http://127.0.0.1:${app.publicPort}"`, 'public_url = "https://elsewhere.example"')
      .replace(`url = "file:${app.dbPath}"`, `url = "file:${app.dbPath}.other"`)
      .replace("[demo]", "[oauth]\naccess_token_ttl_seconds = 120\ndynamic_registration = false\n\n[demo]");
    writeFileSync(path, changed);
    const result = await app.reload(path, {});
    expect(result.status).toBe("applied");
    expect(result.status === "applied" && result.restartNeeded).toEqual(["server.public_url", "database.url"]);
    expect(app.ctx.config.server.public_url).toBe(`http://127.0.0.1:${app.publicPort}`);
    expect(app.ctx.config.database.url).toBe(`file:${app.dbPath}`);
    expect(app.ctx.config.oauth.access_token_ttl_seconds).toBe(120);
    const register = await fetch(`${app.baseUrl}/oauth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_name: "x", redirect_uris: ["http://127.0.0.1:9/cb"] }),
    });
    expect(register.status).toBe(403);
    expect(lines.some((l) => l.includes('"msg":"restart needed') && l.includes("server.public_url"))).toBe(true);
  });

  test("an invalid file is logged with its errors and the appliance keeps the old config", async () => {
    const before = JSON.stringify(app.ctx.config);
    writeFileSync(path, base.replace('role = "technician"', 'role = "superuser"'));
    const result = await app.reload(path, {});
    expect(result.status).toBe("invalid");
    expect(JSON.stringify(app.ctx.config)).toBe(before);
    const logged = lines.find((l) => l.includes("config reload refused"))!;
    expect(logged).toContain("role");
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });
});

test("SIGHUP makes a serve process re-read its config", async () => {
  const dir = tempDir("cavaridge-sighup-");
  const publicPort = await freePort();
  const adminPort = await freePort();
  const path = join(dir, "config.toml");
  const base = testConfigToml({ publicPort, adminPort, dbPath: join(dir, "c.db"), demoSeed: false });
  writeFileSync(path, base);
  const serve = spawnCli(["serve", "--config", path], { cwd: dir });
  try {
    await serve.waitFor(`http://127.0.0.1:${publicPort}/readyz`);
    expect(await adminSignIn(`http://127.0.0.1:${adminPort}`, "late@harbor-it.example")).toBe(401);
    writeFileSync(path, `${readFileSync(path, "utf8")}\n${NEW_USER}`);
    serve.proc.kill("SIGHUP");
    let status = 401;
    for (let i = 0; i < 50 && status !== 303; i++) {
      await Bun.sleep(100);
      status = await adminSignIn(`http://127.0.0.1:${adminPort}`, "late@harbor-it.example");
    }
    expect(status).toBe(303);
  } finally {
    const r = await serve.stop();
    expect(r.code).toBe(0);
    expect(r.out).toContain('"msg":"config reloaded"');
  }
});
