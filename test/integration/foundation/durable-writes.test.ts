import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import Database from "libsql";
import { AuditLog } from "../../../src/audit/log";
import { silentLogger } from "../../../src/shared/log";
import { openStore, type Store } from "../../../src/store/index";
import { fsyncFile, type SyncFile, WalSync } from "../../../src/store/local-client";
import { applyMigrations } from "../../../src/store/migrate";
import { tempDir } from "../../helpers/appliance";

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A syncFile that passes through while open, and holds each call (to release or fail) while closed. */
function gatedSync() {
  const held: { path: string; release: () => void; fail: (err: Error) => void }[] = [];
  let open = true;
  const syncFile: SyncFile = (path) =>
    open
      ? fsyncFile(path)
      : new Promise<void>((resolve, reject) => {
          held.push({ path, release: () => resolve(fsyncFile(path)), fail: reject });
        });
  return {
    syncFile,
    held,
    close() {
      open = false;
    },
    releaseAll() {
      for (const c of held.splice(0)) c.release();
    },
  };
}

async function storeWith(syncFile?: SyncFile): Promise<{ store: Store; dbPath: string }> {
  const dir = tempDir();
  dirs.push(dir);
  const dbPath = join(dir, "durable.db");
  const store = await openStore(`file:${dbPath}`, undefined, syncFile ? { syncFile } : {});
  stores.push(store);
  return { store, dbPath };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

/** Whether a promise has settled after the event loop had a chance to run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await tick();
  return done;
}

describe("durable writes on an embedded file", () => {
  test("a write, a transaction's commit and an audit row resolve only after the WAL is synced", async () => {
    const gate = gatedSync();
    const { store, dbPath } = await storeWith(gate.syncFile);
    await applyMigrations(store.client);
    await store.client.execute("CREATE TABLE t (x INTEGER NOT NULL)");
    gate.close();

    const insert = store.client.execute("INSERT INTO t VALUES (1)");
    expect(await settled(insert)).toBe(false);
    expect(gate.held.map((c) => c.path)).toEqual([`${dbPath}-wal`]);
    // Committed (a reader sees it) but not yet reported to the writer, who waits for the sync.
    expect(Number((await store.client.execute("SELECT count(*) FROM t")).rows[0]![0])).toBe(1);
    gate.releaseAll();
    expect(await settled(insert)).toBe(true);

    const tx = store.db.transaction(async (t) => {
      await t.run(sql`INSERT INTO t VALUES (2)`);
    });
    expect(await settled(tx)).toBe(false);
    expect(gate.held.length).toBe(1);
    gate.releaseAll();
    expect(await settled(tx)).toBe(true);

    const audit = new AuditLog(store.db, () => 1, silentLogger);
    const row = audit.record({ kind: "system", action: "test.durable", outcome: "ok" });
    expect(await settled(row)).toBe(false);
    gate.releaseAll();
    expect(await settled(row)).toBe(true);

    // Reads never wait for a sync.
    expect(await settled(store.client.execute("SELECT * FROM t"))).toBe(true);
    expect(gate.held.length).toBe(0);
  });

  test("every connection skips SQLite's own commit fsync (synchronous = NORMAL): the client syncs instead", async () => {
    const { store } = await storeWith();
    await store.client.execute("CREATE TABLE t (x)");
    expect(Number((await store.client.execute("PRAGMA synchronous")).rows[0]![0])).toBe(1);
    const tx = await store.client.transaction("write");
    // A second connection, borrowed while the transaction holds the first.
    expect(Number((await store.client.execute("PRAGMA synchronous")).rows[0]![0])).toBe(1);
    expect(Number((await tx.execute("PRAGMA synchronous")).rows[0]![0])).toBe(1);
    await tx.rollback();
  });

  test("a failed sync fails the write: nobody is told a commit is durable when the disk said no", async () => {
    const gate = gatedSync();
    const { store } = await storeWith(gate.syncFile);
    await store.client.execute("CREATE TABLE t (x)");
    gate.close();
    const eio = () => Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });

    const insert = store.client.execute("INSERT INTO t VALUES (1)");
    while (gate.held.length === 0) await tick();
    for (const c of gate.held.splice(0)) c.fail(eio());
    await expect(insert).rejects.toThrow(/EIO/);
  });

  test("commits arriving while a sync runs share the next one; the running one does not count for them", async () => {
    const started: string[] = [];
    const finishers: (() => void)[] = [];
    const wal = new WalSync("/nowhere/db", (path) => {
      started.push(path);
      return new Promise<void>((r) => finishers.push(r));
    });
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    expect(started.length).toBe(1);
    finishers[0]!();
    await first;
    expect(await settled(second)).toBe(false);
    expect(started.length).toBe(2);
    finishers[1]!();
    await Promise.all([second, third]);
    expect(started).toEqual(["/nowhere/db-wal", "/nowhere/db-wal"]);
  });

  test("before the first commit in WAL mode there is no WAL file: the database file is synced", async () => {
    const synced: string[] = [];
    const wal = new WalSync("/nowhere/db", async (path) => {
      synced.push(path);
      if (path.endsWith("-wal")) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    });
    await wal.sync();
    expect(synced).toEqual(["/nowhere/db-wal", "/nowhere/db"]);
  });
});

describe("prepared statements kept per connection", () => {
  test("a statement that failed runs again, and a schema change is seen by a kept statement", async () => {
    const { store } = await storeWith();
    await store.client.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT NOT NULL)");
    const insert = { sql: "INSERT INTO t (id, x) VALUES (?, ?)", args: [1, "a"] };
    await store.client.execute(insert);
    await expect(store.client.execute(insert)).rejects.toThrow(/UNIQUE/);
    await store.client.execute({ ...insert, args: [2, "b"] });
    const select = "SELECT * FROM t ORDER BY id";
    expect((await store.client.execute(select)).columns).toEqual(["id", "x"]);
    await store.client.execute("ALTER TABLE t ADD COLUMN y TEXT");
    const after = await store.client.execute(select);
    expect(after.columns).toEqual(["id", "x", "y"]);
    expect(after.rows.map((r) => r.x)).toEqual(["a", "b"]);
  });
});

describe("change signal", () => {
  test("the data version moves on every commit, this store's and another process's connection's alike", async () => {
    const { store, dbPath } = await storeWith();
    await store.client.execute("CREATE TABLE t (x)");
    const signal = (await store.changeSignal())!;
    const v0 = signal.version();
    expect(signal.version()).toBe(v0);
    await store.client.execute("SELECT * FROM t");
    expect(signal.version()).toBe(v0);
    await store.client.execute("INSERT INTO t VALUES (1)");
    const v1 = signal.version();
    expect(v1).not.toBe(v0);
    const other = await openStore(`file:${dbPath}`);
    stores.push(other);
    await other.client.execute("INSERT INTO t VALUES (2)");
    expect(signal.version()).not.toBe(v1);
  });

  test("read once per event-loop turn: a commit made during the turn is seen from the next turn on", async () => {
    const { store, dbPath } = await storeWith();
    await store.client.execute("CREATE TABLE t (x)");
    const signal = (await store.changeSignal())!;
    const other = await openStore(`file:${dbPath}`);
    stores.push(other);
    await new Promise((r) => setImmediate(r));
    const before = signal.version();
    // A commit by another connection, made synchronously within this turn (the raw driver, no await).
    const writer = new Database(dbPath);
    writer.exec("INSERT INTO t VALUES (1)");
    writer.close();
    expect(signal.version()).toBe(before);
    await new Promise((r) => setImmediate(r));
    expect(signal.version()).not.toBe(before);
  });
});
