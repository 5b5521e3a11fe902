import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AuditLog, verifyAuditChain } from "../../../src/audit/log";
import { parseConfigText } from "../../../src/config/load";
import { silentLogger } from "../../../src/shared/log";
import { openStore, type Store } from "../../../src/store/index";
import { applyMigrations, migrationsComplete } from "../../../src/store/migrate";
import { MIGRATIONS } from "../../../src/store/migrations.gen";
import { syncConfigToStore, userIdForEmail } from "../../../src/tenancy/sync";
import { tempDir, testConfigToml } from "../../helpers/appliance";

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function freshStore(): Promise<{ store: Store; dbPath: string }> {
  const dir = tempDir();
  dirs.push(dir);
  const dbPath = join(dir, "nested", "cavaridge.db");
  const store = await openStore(`file:${dbPath}`);
  stores.push(store);
  return { store, dbPath };
}

async function schemaDump(store: Store): Promise<string> {
  const rows = await store.client.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
  return JSON.stringify(rows.rows);
}

describe("store and migrations", () => {
  test("applies every migration once; a second run changes nothing", async () => {
    const { store } = await freshStore();
    const first = await applyMigrations(store.client);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.tag));
    const before = await schemaDump(store);
    const second = await applyMigrations(store.client);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(MIGRATIONS.length);
    expect(await schemaDump(store)).toBe(before);
    expect(await migrationsComplete(store.client)).toBe(true);
  });

  test("an up-to-date store is checked without the write lock: a start is not held up by another writer", async () => {
    const { store, dbPath } = await freshStore();
    await applyMigrations(store.client);
    const other = await openStore(`file:${dbPath}`);
    stores.push(other);
    const writer = await other.client.transaction("write");
    try {
      // A check that took the write lock would wait out the busy timeout and fail with SQLITE_BUSY.
      const again = await applyMigrations(store.client);
      expect(again).toEqual({ applied: [], alreadyApplied: MIGRATIONS.length });
    } finally {
      await writer.rollback();
    }
  });

  test("uses WAL, a busy timeout on every connection, and enforces foreign keys", async () => {
    const { store } = await freshStore();
    await applyMigrations(store.client);
    expect((await store.client.execute("PRAGMA journal_mode")).rows[0]![0]).toBe("wal");
    // Every pooled connection waits for a writer instead of failing with SQLITE_BUSY at once.
    expect(Number((await store.client.execute("PRAGMA busy_timeout")).rows[0]![0])).toBe(5000);
    const tx = await store.client.transaction("write");
    expect(Number((await store.client.execute("PRAGMA busy_timeout")).rows[0]![0])).toBe(5000);
    await tx.rollback();
    await expect(
      store.client.execute(
        "INSERT INTO users (id, email, name, tenant_id, role, password_hash, disabled, updated_at) VALUES ('u','e','n','no-such-tenant','technician','h',0,0)",
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  test("reports a database path that cannot be written", async () => {
    await expect(openStore("file:/proc/cavaridge-cannot/x.db")).rejects.toThrow(/cannot/);
  });
});

describe("config sync", () => {
  const port = 1;
  test("adds users, then disables removed and disabled ones without deleting them", async () => {
    const { store, dbPath } = await freshStore();
    await applyMigrations(store.client);
    const full = parseConfigText(testConfigToml({ publicPort: port, adminPort: port + 1, dbPath }), "t");
    const first = await syncConfigToStore(store, full, () => 1000);
    expect(first.users).toBe(full.users.length);
    expect(first.disabledUserIds).toEqual([]);

    const withoutTech = {
      ...full,
      users: full.users
        .filter((u) => u.email !== "tech@harbor-it.example")
        .map((u) => (u.email === "staff@contosocare.example" ? { ...u, disabled: true } : u)),
    };
    const second = await syncConfigToStore(store, withoutTech, () => 2000);
    expect(second.disabledUserIds.sort()).toEqual(
      [userIdForEmail("tech@harbor-it.example"), userIdForEmail("staff@contosocare.example")].sort(),
    );
    const rows = await store.client.execute("SELECT email, disabled FROM users ORDER BY email");
    expect(rows.rows.length).toBe(full.users.length);

    // Re-adding brings the user back enabled.
    const third = await syncConfigToStore(store, full, () => 3000);
    expect(third.disabledUserIds).toEqual([]);
  });

  test("a start over an unchanged config writes nothing; a changed row is the only one rewritten", async () => {
    const { store, dbPath } = await freshStore();
    await applyMigrations(store.client);
    const config = parseConfigText(testConfigToml({ publicPort: port, adminPort: port + 1, dbPath }), "t");
    await syncConfigToStore(store, config, () => 1000);
    const changes = async () => Number((await store.client.execute("SELECT total_changes() AS n")).rows[0]!.n);
    const stamps = async () =>
      (await store.client.execute("SELECT id, updated_at FROM tenants UNION ALL SELECT id, updated_at FROM users"))
        .rows;

    const before = await changes();
    const stampsBefore = await stamps();
    await syncConfigToStore(store, config, () => 2000);
    expect(await changes()).toBe(before);
    expect(await stamps()).toEqual(stampsBefore);

    const renamed = {
      ...config,
      tenants: config.tenants.map((t) => (t.id === "contosocare" ? { ...t, name: "ContosoCare Health" } : t)),
    };
    await syncConfigToStore(store, renamed, () => 3000);
    const rewritten = (await stamps()).filter((r) => r.updated_at === 3000).map((r) => r.id);
    expect(rewritten).toEqual(["contosocare"]);
    const name = await store.client.execute("SELECT name FROM tenants WHERE id = 'contosocare'");
    expect(name.rows[0]!.name).toBe("ContosoCare Health");
  });
});

describe("audit chain", () => {
  test("group-committed rows chain; verify names the first edited row", async () => {
    const { store } = await freshStore();
    await applyMigrations(store.client);
    const audit = new AuditLog(store.db, () => 42, silentLogger);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.record({ kind: "system", action: "test.event", outcome: "ok", detail: { i, password: "hunter2" } }),
      ),
    );
    expect(new Set(ids).size).toBe(20);
    const ok = await verifyAuditChain(store.client);
    expect(ok).toMatchObject({ ok: true, rows: 20, breaks: [] });
    expect(ok.head?.seq).toBe(20);
    const detail = await store.client.execute("SELECT detail FROM audit_log LIMIT 1");
    expect(String(detail.rows[0]!.detail)).not.toContain("hunter2");

    await store.client.execute("UPDATE audit_log SET outcome = 'tampered' WHERE seq = 7");
    const broken = await verifyAuditChain(store.client);
    expect(broken.ok).toBe(false);
    expect(broken.breaks).toEqual([{ firstSeq: 7, lastSeq: 7, reason: "hash_mismatch" }]);
    expect(broken.rows).toBe(20);
  });

  test("verify re-anchors after a break, so later tampering is still reported, each range by first and last seq", async () => {
    const { store } = await freshStore();
    await applyMigrations(store.client);
    const audit = new AuditLog(store.db, () => 42, silentLogger);
    for (let i = 0; i < 30; i++) await audit.record({ kind: "system", action: "e", outcome: "ok", detail: { i } });
    await store.client.execute("UPDATE audit_log SET outcome = 'tampered' WHERE seq IN (5, 6, 7)");
    await store.client.execute("DELETE FROM audit_log WHERE seq = 20");
    await store.client.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 28");
    const result = await verifyAuditChain(store.client);
    expect(result.ok).toBe(false);
    expect(result.rows).toBe(29);
    expect(result.head?.seq).toBe(30);
    expect(result.breaks).toEqual([
      { firstSeq: 5, lastSeq: 7, reason: "hash_mismatch" },
      { firstSeq: 21, lastSeq: 21, reason: "link_mismatch" },
      { firstSeq: 28, lastSeq: 28, reason: "hash_mismatch" },
    ]);
  });

  test("a deleted row breaks the link at the next one", async () => {
    const { store } = await freshStore();
    await applyMigrations(store.client);
    const audit = new AuditLog(store.db, () => 42, silentLogger);
    for (let i = 0; i < 5; i++) await audit.record({ kind: "system", action: "e", outcome: "ok" });
    await store.client.execute("DELETE FROM audit_log WHERE seq = 3");
    expect((await verifyAuditChain(store.client)).breaks).toEqual([
      { firstSeq: 4, lastSeq: 4, reason: "link_mismatch" },
    ]);
  });
});
