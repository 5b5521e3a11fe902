import { ConnectionPool, Sqlite3Client } from "@libsql/client/sqlite3";
import type { Client, InStatement, Transaction, TransactionMode } from "@libsql/client";
import type Database from "libsql";
import { open } from "node:fs/promises";
import { withMethods } from "./method-proxy";
import { isRead } from "./write-lock";

/**
 * The libSQL client of an embedded file, tuned for a server that answers many small requests on ONE JavaScript
 * thread. libSQL's local client runs every statement synchronously on that thread, so two of its defaults are
 * paid by every request:
 *
 * - **The commit's fsync blocks the thread.** With `synchronous = FULL` (SQLite's default) every COMMIT in WAL mode
 *   fsyncs the WAL inside the call: 3 ms on an idle disk, tens of ms on a busy one, during which no other request
 *   moves. Each connection here runs `synchronous = NORMAL` (https://www.sqlite.org/pragma.html#pragma_synchronous:
 *   in WAL mode the commit writes its frames but does not sync them), and every write made through the client
 *   resolves only after `fsync` of the WAL file has completed on libuv's thread pool (`WalSync`), started after
 *   the commit returned. The caller therefore still learns of its commit only once it is on disk, exactly as with
 *   FULL, while the thread serves other requests during the sync. The WAL is append-only and recovery replays its
 *   valid prefix (https://www.sqlite.org/wal.html, "Checkpointing" and "WAL File Format"), so one fsync makes
 *   every commit before it durable: concurrent commits share a sync. Checkpoints are unaffected: with NORMAL
 *   SQLite still syncs the WAL before a checkpoint and the database after it, and syncs the WAL header (and its
 *   directory) when it starts a new WAL.
 * - **Every statement is prepared anew.** `@libsql/client` calls `prepare` for every execute (its largest
 *   single cost under load); here each connection keeps its prepared statements by SQL text (SQLite re-prepares a
 *   statement itself after a schema change, https://www.sqlite.org/c3ref/prepare.html, `sqlite3_prepare_v2`).
 *
 * `@libsql/client` offers no hook for a new connection, so the pool of its own `sqlite3` entry point is extended
 * (`ConnectionPool` / `Sqlite3Client` from `@libsql/client/sqlite3`); test/integration/foundation/store.test.ts pins
 * both tunings against a real file.
 */

/** Statements kept per connection; the app runs a few hundred distinct ones, ad hoc SQL is rare. */
const STATEMENT_CACHE_MAX = 512;

/**
 * Gives each new connection NORMAL sync (the client syncs the WAL itself) and a prepared-statement cache. A kept
 * statement is re-prepared by SQLite after a schema change, but only when it next steps: its column list, which the
 * client reads before stepping, would still be the old one. So any schema statement run through this pool (a
 * `CREATE`, `ALTER`, `DROP`, or `executeMultiple` script, as migrations run) empties every connection's cache.
 */
class TunedConnectionPool extends ConnectionPool {
  private readonly tuned = new WeakSet<Database.Database>();
  private readonly schema = { generation: 0 };

  override acquireSync(forTransaction?: boolean): Database.Database {
    const db = super.acquireSync(forTransaction);
    if (!this.tuned.has(db)) {
      this.tuned.add(db);
      tuneConnection(db, this.schema);
    }
    return db;
  }
}

const SCHEMA_STATEMENT = /^\s*(CREATE|ALTER|DROP)\b/i;

function tuneConnection(db: Database.Database, schema: { generation: number }): void {
  db.exec("PRAGMA synchronous = NORMAL");
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  const statements = new Map<string, Database.Statement>();
  let generation = schema.generation;
  const cached = (sql: string): Database.Statement => {
    if (generation !== schema.generation) {
      statements.clear();
      generation = schema.generation;
    }
    if (SCHEMA_STATEMENT.test(sql)) {
      schema.generation++;
      return prepare(sql);
    }
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size >= STATEMENT_CACHE_MAX) statements.clear();
      stmt = memoizeModes(prepare(sql));
      statements.set(sql, stmt);
    }
    return stmt;
  };
  db.prepare = cached as Database.Database["prepare"];
  db.exec = ((sql: string) => {
    schema.generation++;
    return exec(sql);
  }) as Database.Database["exec"];
}

/**
 * A kept statement remembers its modes and columns: the client sets `safeIntegers` and `raw` and reads `columns()`
 * twice on every execution, each a call into the native driver (and `raw` throws, natively, for a statement that
 * returns no rows). They change only with a schema change, which empties the cache that holds the statement.
 */
function memoizeModes(stmt: Database.Statement): Database.Statement {
  const native = {
    raw: stmt.raw.bind(stmt),
    safeIntegers: stmt.safeIntegers.bind(stmt),
    columns: stmt.columns.bind(stmt),
  };
  let raw: { toggle: boolean; error?: unknown } | undefined;
  let safeIntegers: boolean | undefined;
  let columns: ReturnType<Database.Statement["columns"]> | undefined;
  stmt.raw = ((toggle = true) => {
    if (raw?.toggle !== toggle) {
      try {
        native.raw(toggle);
        raw = { toggle };
      } catch (error) {
        raw = { toggle, error };
      }
    }
    if (raw.error !== undefined) throw raw.error;
    return stmt;
  }) as Database.Statement["raw"];
  stmt.safeIntegers = ((toggle = true) => {
    if (safeIntegers !== toggle) {
      native.safeIntegers(toggle);
      safeIntegers = toggle;
    }
    return stmt;
  }) as Database.Statement["safeIntegers"];
  stmt.columns = (() => (columns ??= native.columns())) as Database.Statement["columns"];
  return stmt;
}

/** Flushes a file to disk off the JavaScript thread (`fsync(2)` on libuv's pool). */
export type SyncFile = (path: string) => Promise<void>;

export const fsyncFile: SyncFile = async (path) => {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Coalesced fsync of a database's WAL. `sync()` resolves once an fsync that STARTED after the call has finished:
 * one already running may have begun before the caller's commit was written, so it does not count, and every
 * caller arriving meanwhile shares the next one.
 */
export class WalSync {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly databasePath: string,
    private readonly syncFile: SyncFile = fsyncFile,
  ) {}

  sync(): Promise<void> {
    if (!this.running) return this.start();
    this.next ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.next;
  }

  private startQueued(): Promise<void> {
    this.next = null;
    return this.start();
  }

  private start(): Promise<void> {
    const run = this.syncWal().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async syncWal(): Promise<void> {
    try {
      await this.syncFile(`${this.databasePath}-wal`);
    } catch (err) {
      // Not in WAL mode yet (the store's first statement switches to it): the commit went to the database file.
      if ((err as { code?: string }).code !== "ENOENT") throw err;
      await this.syncFile(this.databasePath);
    }
  }
}

/**
 * The file path of a `file:` URL (`file:rel.db`, `file:/abs.db`, `file:///abs.db`); null for a server URL, an
 * in-memory database or a URL with query parameters (those keep `@libsql/client`'s own handling).
 */
export function localPathOf(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  const path = url.slice("file:".length).replace(/^\/\/(localhost)?/, "");
  return path === "" || path.includes(":memory:") || path.includes("?") ? null : path;
}

/** The local client of `path` (a file, not `:memory:`), with the tunings above. */
export function createLocalClient(path: string, timeoutMs: number): Sqlite3Client {
  // intMode "number" and 20 connections: @libsql/client's own defaults for createClient.
  const pool = new TunedConnectionPool(path, { timeout: timeoutMs }, 20);
  const probe = pool.acquireSync();
  pool.release(probe);
  return new Sqlite3Client(pool, "number");
}

/**
 * Makes every write through `client` resolve only after `durable()` (the WAL fsync) has resolved: plain write
 * statements, write batches, `executeMultiple`/`migrate`, and a transaction's `commit`. Reads pass through. The
 * sync runs after the statement returned, outside any write lock the client holds, so the next writer can proceed
 * while this one's sync is in flight.
 */
export function withDurableWrites(client: Client, durable: () => Promise<void>): Client {
  const after = async <T>(result: Promise<T>): Promise<T> => {
    const value = await result;
    await durable();
    return value;
  };
  const wrapTransaction = (tx: Transaction): Transaction => withMethods(tx, { commit: () => after(tx.commit()) });
  const execute = client.execute.bind(client) as (stmt: InStatement, args?: unknown) => ReturnType<Client["execute"]>;
  return withMethods(client, {
    execute: (stmt: InStatement, args?: unknown) => {
      const result = execute(stmt, args);
      return isRead(stmt) ? result : after(result);
    },
    batch: (stmts: InStatement[], mode?: TransactionMode) =>
      mode === "read" ? client.batch(stmts, mode) : after(client.batch(stmts, mode)),
    executeMultiple: (sql: string) => after(client.executeMultiple(sql)),
    migrate: (stmts: InStatement[]) => after(client.migrate(stmts)),
    transaction: async (mode?: TransactionMode) => {
      const tx = await client.transaction(mode);
      return mode === "read" ? tx : wrapTransaction(tx);
    },
  });
}
