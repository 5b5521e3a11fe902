import { createClient, type Client } from "@libsql/client";
import type { ResultSet } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { openChangeSignal, type ChangeSignal } from "./change-signal";
import { createLocalClient, localPathOf, type SyncFile, WalSync, withDurableWrites } from "./local-client";
import { schema, type Schema } from "./schema/index";
import { StoreError } from "./store-error";
import { WriteLock, withWriteLock } from "./write-lock";

/** One write lock per database in this process, shared by every Store opened on it (CLI commands, tests). */
const LOCKS = new Map<string, WriteLock>();
function lockFor(url: string): WriteLock {
  const key = url.startsWith("file:")
    ? `file:${resolve(url.slice("file:".length).replace(/^\/\/(localhost)?/, ""))}`
    : url;
  let lock = LOCKS.get(key);
  if (!lock) LOCKS.set(key, (lock = new WriteLock()));
  return lock;
}

export type Db = LibSQLDatabase<Schema>;
/** A database or an open transaction: what data-access functions take, so they compose into one transaction. */
export type DbLike = BaseSQLiteDatabase<"async", ResultSet, Schema>;

export interface Store {
  readonly url: string;
  readonly client: Client;
  readonly db: Db;
  /**
   * The database's change signal (see change-signal.ts), opened on first use and closed with the store; null for
   * a libSQL server, which has none.
   */
  changeSignal(): Promise<ChangeSignal | null>;
  close(): void;
}

export interface StoreOptions {
  /** How a file is flushed to disk (tests observe the WAL sync through it); fsync(2) off the thread by default. */
  syncFile?: SyncFile;
}

/** SQLite's busy timeout: how long a write waits for another process's write transaction. */
const BUSY_TIMEOUT_MS = 5000;

export { StoreError };

/**
 * Opens the store. The same code path serves an embedded file (`file:`) and a libSQL server
 * (`libsql://`, `http(s)://`); the auth token for a server comes from the environment, never the config file.
 * For files, libSQL already enables foreign keys on every pooled connection; we set WAL once (it is persistent)
 * and a busy timeout on every connection through the client's `timeout` option. A file path gets the tuned local
 * client (local-client.ts: the WAL synced off the JavaScript thread, prepared statements kept); a server URL, an
 * in-memory database or a file URL with parameters keeps `@libsql/client` as it is.
 */
export async function openStore(url: string, authToken?: string, options: StoreOptions = {}): Promise<Store> {
  const path = localPathOf(url);
  if (path !== null) {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch (err) {
      throw new StoreError(`cannot create the database directory for ${url}: ${(err as Error).message}`);
    }
  }
  let client: Client;
  try {
    // Writes are serialized in the process (see write-lock.ts): the local client's busy wait would block the thread.
    if (path === null) {
      client = withWriteLock(
        createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS } as Parameters<typeof createClient>[0]),
        lockFor(url),
      );
      await client.execute(url.startsWith("file:") ? "PRAGMA journal_mode=WAL" : "SELECT 1");
    } else {
      // A file gets the tuned local client (local-client.ts): a write resolves once the WAL is synced, off the thread.
      const wal = new WalSync(path, options.syncFile);
      client = withDurableWrites(withWriteLock(createLocalClient(path, BUSY_TIMEOUT_MS), lockFor(url)), () =>
        wal.sync(),
      );
      await client.execute("PRAGMA journal_mode=WAL");
    }
  } catch (err) {
    throw new StoreError(`cannot open the database at ${url}: ${(err as Error).message}`);
  }
  const db = drizzle(client, { schema });
  let signal: Promise<ChangeSignal | null> | undefined;
  return {
    url,
    client,
    db,
    changeSignal: () => (signal ??= openChangeSignal(url, authToken)),
    close: () => {
      client.close();
      void signal?.then((s) => s?.close()).catch(() => {});
    },
  };
}
