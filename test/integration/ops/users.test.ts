/**
 * `cavaridge user ...` and `tenant add` edit the TOML in place (comments and layout kept, validated before the atomic
 * replace, untouched on bad input), and `user disable` cuts a user off in a running appliance at once.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../../src/config/load";
import { userIdForEmail } from "../../../src/tenancy/sync";
import {
  startTestAppliance,
  TEST_PASSWORD_HASH,
  tempDir,
  type TestAppliance,
  testConfigToml,
} from "../../helpers/appliance";
import { runCliProcess } from "../../helpers/cli-process";
import { obtainTokens } from "../../helpers/oauth";

setDefaultTimeout(30_000);

const dir = tempDir("cavaridge-users-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMENTED = `# Our appliance. Hand-written comments must survive every edit.
[server]
public_url = "https://mcp.harbor.example"   # the issuer

[database]
url = "file:${join(dir, "none.db")}"

# --- tenants -------------------------------------------------------------
[[tenants]]
id = "harbor-it"
name = "Harbor IT"
kind = "msp"

# --- users ---------------------------------------------------------------
[[users]]
email = "ops@harbor.example"
name = "Ops"
tenant = "harbor-it"
role = "platform_admin"
password_hash = "${TEST_PASSWORD_HASH}"
`;

let n = 0;
function freshConfig(text = COMMENTED): string {
  const path = join(dir, `config-${n++}.toml`);
  writeFileSync(path, text, { mode: 0o640 });
  return path;
}
const cli = (args: string[], stdin?: string) => runCliProcess(args, { cwd: dir, stdin });

/** Every line of `before` is still in `after`, in the same order (layout and comments kept). */
function keepsEveryLine(before: string, after: string): void {
  const lines = after.split("\n");
  let at = 0;
  for (const line of before.split("\n")) {
    const found = lines.indexOf(line, at);
    expect({ line, found: found >= 0 }).toEqual({ line, found: true });
    at = found + 1;
  }
}

describe("user add / set-password / tenant add edit the TOML in place", () => {
  test("user add keeps comments and layout, prints a generated password that verifies against the stored hash", async () => {
    const path = freshConfig();
    const r = await cli([
      "user",
      "add",
      "--config",
      path,
      "--email",
      "pat@harbor.example",
      "--role",
      "technician",
      "--tenant",
      "harbor-it",
      "--name",
      "Pat Tech",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const after = readFileSync(path, "utf8");
    keepsEveryLine(COMMENTED, after);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    const password = /\(shown once[^)]*\): (\S+)/.exec(r.out)![1]!;
    expect(after).not.toContain(password);
    const pat = parseConfigText(after, path).users.find((u) => u.email === "pat@harbor.example")!;
    expect(pat).toMatchObject({ name: "Pat Tech", role: "technician", tenant: "harbor-it" });
    expect(await Bun.password.verify(password, pat.password_hash)).toBe(true);
  });

  test("user add --password-stdin stores the hash of the given password and prints none", async () => {
    const path = freshConfig();
    const r = await cli(
      [
        "user",
        "add",
        "--config",
        path,
        "--email",
        "a@harbor.example",
        "--role",
        "msp_admin",
        "--tenant",
        "harbor-it",
        "--password-stdin",
      ],
      "correct horse battery\n",
    );
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("shown once");
    const a = parseConfigText(readFileSync(path, "utf8"), path).users.find((u) => u.email === "a@harbor.example")!;
    expect(await Bun.password.verify("correct horse battery", a.password_hash)).toBe(true);
  });

  test("bad input names the field and leaves the file byte for byte", async () => {
    const path = freshConfig();
    const cases: [string[], string][] = [
      [["user", "add", "--email", "x@harbor.example", "--role", "superuser", "--tenant", "harbor-it"], "--role"],
      [["user", "add", "--email", "x@harbor.example", "--role", "technician", "--tenant", "nope"], "--tenant"],
      [["user", "add", "--email", "not-an-email", "--role", "technician", "--tenant", "harbor-it"], "--email"],
      [["user", "add", "--email", "OPS@harbor.example", "--role", "technician", "--tenant", "harbor-it"], "--email"],
      [["user", "set-password", "--email", "ghost@harbor.example"], "--email"],
      [["user", "disable", "--email", "ghost@harbor.example"], "--email"],
      [["tenant", "add", "--id", "contoso", "--name", "Contoso", "--parent", "nope"], "--parent"],
      [["tenant", "add", "--id", "Bad Id", "--name", "Contoso"], "--id"],
      [["tenant", "add", "--id", "harbor-it", "--name", "Again"], "--id"],
      [["tenant", "add", "--id", "contoso", "--name", "Contoso", "--currency", "dollars"], "--currency"],
      [["tenant", "add", "--id", "contoso", "--name", "Contoso", "--tax-rate-bps", "12.5"], "--tax-rate-bps"],
    ];
    for (const [args, field] of cases) {
      const r = await cli([...args, "--config", path]);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect({ args, named: r.err.includes(field) }).toEqual({ args, named: true });
      expect(readFileSync(path, "utf8")).toBe(COMMENTED);
    }
  });

  test("a config that is already invalid is named as such and left alone", async () => {
    const broken = COMMENTED.replace('role = "platform_admin"', 'role = "root"');
    const path = freshConfig(broken);
    const r = await cli(["tenant", "add", "--config", path, "--id", "contoso", "--name", "Contoso"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("users[0].role");
    expect(r.err).toContain("already has 1 problem(s)");
    expect(readFileSync(path, "utf8")).toBe(broken);
  });

  test("tenant add appends a client tenant under its MSP, keeping comments", async () => {
    const path = freshConfig();
    const r = await cli([
      "tenant",
      "add",
      "--config",
      path,
      "--id",
      "contoso",
      "--name",
      "Contoso Ltd",
      "--kind",
      "client",
      "--parent",
      "harbor-it",
      "--currency",
      "GBP",
      "--tax-rate-bps",
      "2000",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const after = readFileSync(path, "utf8");
    keepsEveryLine(COMMENTED, after);
    expect(parseConfigText(after, path).tenants[1]).toMatchObject({
      id: "contoso",
      name: "Contoso Ltd",
      kind: "client",
      parent: "harbor-it",
      currency: "GBP",
      tax_rate_bps: 2000,
    });
  });

  test("user set-password replaces the hash; the old password no longer verifies", async () => {
    const path = freshConfig();
    const r = await cli(["user", "set-password", "--config", path, "--email", "ops@harbor.example"]);
    expect(r.code).toBe(0);
    const password = /\(shown once[^)]*\): (\S+)/.exec(r.out)![1]!;
    const after = readFileSync(path, "utf8");
    const ops = parseConfigText(after, path).users[0]!;
    expect(ops.password_hash).not.toBe(TEST_PASSWORD_HASH);
    expect(await Bun.password.verify(password, ops.password_hash)).toBe(true);
    expect(after).toContain("# --- users ----");
  });
});

describe("user disable against a running appliance", () => {
  let app: TestAppliance;
  let configPath: string;
  beforeAll(async () => {
    app = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" } });
    configPath = join(app.dir, "config.toml");
    // The file the CLI edits is the one the appliance was started from (same database, same ports).
    writeFileSync(
      configPath,
      testConfigToml({
        publicPort: app.publicPort,
        adminPort: app.adminPort!,
        dbPath: app.dbPath,
        demoSeed: false,
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  const mcpPing = (token: string) =>
    fetch(`${app.baseUrl}/cavalier`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });

  test("revokes the user's grants in the database at once: the running appliance refuses the token on its next request, before any reload", async () => {
    const tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const before = await mcpPing(tokens.access_token);
    expect(before.status).not.toBe(401);

    const r = await cli(["user", "disable", "--config", configPath, "--email", "admin@harbor-it.example"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("revoked 1 grant(s)");
    const config = parseConfigText(readFileSync(configPath, "utf8"), configPath);
    expect(config.users.find((u) => u.email === "admin@harbor-it.example")!.disabled).toBe(true);

    const after = await mcpPing(tokens.access_token);
    expect(after.status).toBe(401);
    const grant = await app.ctx.store.client.execute({
      sql: "SELECT revoked_at, revoked_reason FROM oauth_grants WHERE id = ?",
      args: [tokens.grant_id],
    });
    expect(grant.rows[0]!.revoked_at).not.toBeNull();
    const user = await app.ctx.store.client.execute({
      sql: "SELECT disabled FROM users WHERE id = ?",
      args: [userIdForEmail("admin@harbor-it.example")],
    });
    expect(Number(user.rows[0]!.disabled)).toBe(1);
    const audit = await app.ctx.store.client.execute(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'oauth.grant.revoke' AND outcome = 'ok'",
    );
    expect(Number(audit.rows[0]!.n)).toBe(1);
  });
});
