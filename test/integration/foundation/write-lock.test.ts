import { afterAll, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../../src/store/index";
import { tempDir } from "../../helpers/appliance";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Regression: with libSQL's local client, a write on a second pooled connection while a write transaction was
 * open across an await blocked the event loop in SQLite's busy handler; the transaction could not resume to
 * commit, and the write failed with SQLITE_BUSY after the 5 s busy timeout. Writes now queue on a process lock.
 */
test("a write issued while a transaction is open waits its turn instead of stalling the process", async () => {
  const store = await openStore(`file:${join(dir, "lock.db")}`);
  try {
    await store.client.execute("CREATE TABLE t (x INTEGER)");
    const started = performance.now();
    const tx = await store.client.transaction("write");
    await tx.execute("INSERT INTO t VALUES (1)");
    const other = store.client.execute("INSERT INTO t VALUES (2)");
    const read = await store.client.execute("SELECT COUNT(*) AS n FROM t"); // readers never wait (WAL)
    expect(Number(read.rows[0]!.n)).toBe(0);
    await Bun.sleep(50); // the event loop keeps running while the transaction is open
    await tx.commit();
    await other;
    expect(performance.now() - started).toBeLessThan(2000);
    const rows = await store.client.execute("SELECT x FROM t ORDER BY x");
    expect(rows.rows.map((r) => Number(r.x))).toEqual([1, 2]);

    // A transaction that rolls back or is closed releases the lock too.
    const tx2 = await store.client.transaction("write");
    await tx2.rollback();
    const tx3 = await store.client.transaction("write");
    tx3.close();
    await store.db.transaction(async (t) => {
      await t.run(sql`INSERT INTO t VALUES (3)`);
    });
    await store.client.execute("INSERT INTO t VALUES (4)");
    expect(Number((await store.client.execute("SELECT COUNT(*) AS n FROM t")).rows[0]!.n)).toBe(4);
  } finally {
    store.close();
  }
}, 20_000);
