/**
 * `cavaridge backup` under write load and `cavaridge restore` into a fresh directory, through the real CLI in a
 * child process against a running appliance's database.
 */
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestAppliance, tempDir, type TestAppliance, testConfigToml } from "../../helpers/appliance";
import { runCliProcess } from "../../helpers/cli-process";
import { obtainTokens, type Tokens } from "../../helpers/oauth";

setDefaultTimeout(60_000);

let app: TestAppliance;
let work: string;
let liveConfig: string;
let tokens: Tokens;
const backupFile = () => join(work, "backup.db");

/** A config for the database at `dbPath` with the running appliance's master key (restore needs the same key). */
function configFor(name: string, dbPath: string, masterKeyFile = `${app.dbPath}.master.key`): string {
  const path = join(work, `${name}.toml`);
  writeFileSync(
    path,
    testConfigToml({ publicPort: app.publicPort, adminPort: app.adminPort!, dbPath, demoSeed: false }).replace(
      `master_key_file = "${dbPath}.master.key"`,
      `master_key_file = "${masterKeyFile}"`,
    ),
  );
  return path;
}
const cli = (args: string[]) => runCliProcess(args, { cwd: work });

beforeAll(async () => {
  work = tempDir("cavaridge-backup-");
  app = await startTestAppliance({ env: { CAVARIDGE_DEMO_SEED: "off" } });
  liveConfig = configFor("live", app.dbPath);
  tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
});
afterAll(async () => {
  await app?.close();
});

describe("backup", () => {
  test("takes a consistent copy under write load: every row acknowledged before it started is in the copy, its chain verifies", async () => {
    const acknowledged: string[] = [];
    let writing = true;
    const load = (async () => {
      for (let i = 0; writing; i++) {
        const batch = Array.from({ length: 8 }, (_, j) =>
          app.ctx.audit.record({ kind: "system", action: "test.load", outcome: "ok", detail: { i, j } }),
        );
        acknowledged.push(...(await Promise.all(batch)));
      }
    })();
    while (acknowledged.length < 200) await Bun.sleep(10);
    const before = [...acknowledged];
    const r = await cli(["backup", "--config", liveConfig, "--out", backupFile()]);
    const during = acknowledged.length;
    writing = false;
    await load;
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(during).toBeGreaterThan(before.length); // the appliance kept writing while the backup ran
    expect(r.out).toMatch(/audit chain ok: \d+ rows/);
    expect(r.out).toMatch(/ {2}oauth_grants: 1\n/);
    expect(statSync(backupFile()).mode & 0o777).toBe(0o600);

    const copy = createClient({ url: `file:${backupFile()}` });
    try {
      const ids = new Set((await copy.execute("SELECT id FROM audit_log")).rows.map((row) => String(row.id)));
      expect(before.filter((id) => !ids.has(id))).toEqual([]);
    } finally {
      copy.close();
    }
  });

  test("refuses to overwrite a file, and says a libSQL server's backup is the server's job (exit 2)", async () => {
    const again = await cli(["backup", "--config", liveConfig, "--out", backupFile()]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already exists");
    const server = join(work, "server.toml");
    writeFileSync(
      server,
      testConfigToml({ publicPort: 1, adminPort: 2, dbPath: "x" }).replace(
        'url = "file:x"',
        'url = "libsql://db.example.invalid"',
      ),
    );
    const r = await cli(["backup", "--config", server, "--out", join(work, "never.db")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("the server's job");
    expect(existsSync(join(work, "never.db"))).toBe(false);
    expect((await cli(["restore", backupFile(), "--config", server])).code).toBe(2);
  });
});

describe("restore", () => {
  test("refuses while a server uses the database, and changes nothing", async () => {
    const head = await app.ctx.store.client.execute("SELECT max(seq) AS s FROM audit_log");
    const r = await cli(["restore", backupFile(), "--config", liveConfig]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("a server is using");
    const after = await app.ctx.store.client.execute("SELECT max(seq) AS s FROM audit_log");
    expect(after.rows[0]!.s).toBe(head.rows[0]!.s);
    expect(readdirSync(join(app.dbPath, "..")).some((f) => f.includes("pre-restore"))).toBe(false);
  });

  test("refuses a master key that cannot decrypt the backup's signing keys", async () => {
    const dir = join(work, "wrong-key");
    mkdirSync(dir);
    const key = join(dir, "master.key");
    writeFileSync(key, "a-completely-different-master-secret-of-enough-length\n", { mode: 0o600 });
    const r = await cli(["restore", backupFile(), "--config", configFor("wrong-key", join(dir, "c.db"), key)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("cannot be decrypted");
    expect(existsSync(join(dir, "c.db"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["master.key"]);
  });

  test("into a fresh directory: audit verify passes, every grant and refresh token is revoked, system.restore is recorded", async () => {
    const dir = join(work, "fresh");
    const db = join(dir, "cavaridge.db");
    const config = configFor("fresh", db);
    const r = await cli(["restore", backupFile(), "--config", config]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("revoked 1 grant(s)");

    const verify = await cli(["audit", "verify", "--config", config]);
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("audit chain ok");

    const c = createClient({ url: `file:${db}` });
    try {
      const grant = await c.execute({
        sql: "SELECT revoked_at, revoked_reason FROM oauth_grants WHERE id = ?",
        args: [tokens.grant_id],
      });
      expect(grant.rows[0]!.revoked_reason).toBe("restored_from_backup");
      const live = await c.execute("SELECT count(*) AS n FROM oauth_refresh_tokens WHERE retired_at IS NULL");
      expect(Number(live.rows[0]!.n)).toBe(0);
      const leases = await c.execute("SELECT count(*) AS n FROM store_meta WHERE key LIKE 'server.lease.%'");
      expect(Number(leases.rows[0]!.n)).toBe(0);
      const last = await c.execute("SELECT action, kind, detail FROM audit_log ORDER BY seq DESC LIMIT 1");
      expect(last.rows[0]!.action).toBe("system.restore");
      const detail = JSON.parse(String(last.rows[0]!.detail)) as Record<string, unknown>;
      expect(detail.replaced_head).toBeNull();
      expect(detail.backup_head).toMatchObject({ seq: expect.any(Number), hash: expect.any(String) });
    } finally {
      c.close();
    }
  });

  test("over an existing stopped database: moves it aside and names its chain head in system.restore", async () => {
    const db = join(work, "fresh", "cavaridge.db");
    const config = join(work, "fresh.toml");
    const c = createClient({ url: `file:${db}` });
    const head = (await c.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).rows[0]!;
    c.close();
    const r = await cli(["restore", backupFile(), "--config", config]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(join(work, "fresh")).some((f) => f.startsWith("cavaridge.db.pre-restore-"))).toBe(true);
    const after = createClient({ url: `file:${db}` });
    try {
      const last = await after.execute("SELECT detail FROM audit_log ORDER BY seq DESC LIMIT 1");
      const detail = JSON.parse(String(last.rows[0]!.detail)) as { replaced_head: { seq: number; hash: string } };
      expect(detail.replaced_head).toEqual({ seq: Number(head.seq), hash: String(head.hash) });
    } finally {
      after.close();
    }
    expect((await cli(["audit", "verify", "--config", config])).code).toBe(0);
  });
});
