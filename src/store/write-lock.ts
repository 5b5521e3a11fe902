import { LibsqlError, type Client, type InStatement, type Transaction, type TransactionMode } from "@libsql/client";
import { withMethods } from "./method-proxy";

/**
 * One writer at a time per process.
 *
 * libSQL's local client runs every statement synchronously on the JavaScript thread, and SQLite's busy handler
 * sleeps on that thread too. So while one pooled connection holds an open write transaction across an `await`,
 * a write on another connection does not wait politely: it blocks the whole event loop in the busy handler,
 * the transaction that holds the lock can never resume to commit, and after the busy timeout the write fails
 * with SQLITE_BUSY (measured: a 5 s stall, then the error). Serializing writes in the process with an async lock
 * turns that into an ordinary queue. Reads need no lock (WAL readers never wait for the writer); writers in
 * other processes are still handled by SQLite's own locking and busy timeout.
 *
 * Tool calls do not take it one by one: their audit rows and their writes go through the audit log's group commit
 * (src/audit/log.ts), which takes the lock once per group. The lock orders that committer against the other
 * writers (token issue, admin actions, imports).
 */
export class WriteLock {
  private tail: Promise<void> = Promise.resolve();
  private held = false;

  /** Waits for the lock; resolves with its release function. Rejects after `timeoutMs` instead of hanging. */
  acquire(timeoutMs: number): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const previous = this.tail;
    this.tail = previous.then(() => mine);
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new LibsqlError("SQLITE_BUSY: timed out waiting for this process's write lock", "SQLITE_BUSY"));
      }, timeoutMs);
      void previous.then(() => {
        clearTimeout(timer);
        if (timedOut) return release(); // pass the lock on; this caller already gave up
        this.held = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.held = false;
          release();
        });
      });
    });
  }

  get isHeld(): boolean {
    return this.held;
  }
}

/** Statements that only read. Anything else (including WITH …, which may write) takes the write lock. */
export function isRead(stmt: InStatement): boolean {
  const text = typeof stmt === "string" ? stmt : stmt.sql;
  let known = readVerdicts.get(text);
  if (known === undefined) {
    known = classifyRead(text);
    // The store runs a few dozen distinct statements; a bound keeps ad-hoc SQL from growing the map.
    if (readVerdicts.size >= 512) readVerdicts.clear();
    readVerdicts.set(text, known);
  }
  return known;
}

// Asked twice for every statement (the write lock, then the durable-write wrapper): remembered per SQL text.
const readVerdicts = new Map<string, boolean>();

function classifyRead(text: string): boolean {
  const head = text.trimStart().slice(0, 16).toUpperCase();
  if (head.startsWith("SELECT") || head.startsWith("EXPLAIN")) return true;
  return head.startsWith("PRAGMA") && !text.includes("=");
}

/**
 * Wraps a libSQL client so that every write transaction, write statement and batch goes through one WriteLock.
 * Transactions hold the lock from BEGIN until commit, rollback or close.
 */
export function withWriteLock(client: Client, lock = new WriteLock(), timeoutMs = 15_000): Client {
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    const release = await lock.acquire(timeoutMs);
    try {
      return await fn();
    } finally {
      release();
    }
  };
  const wrapTransaction = (tx: Transaction, release: () => void): Transaction => {
    const releasing = (end: () => Promise<void>) => async (): Promise<void> => {
      try {
        await end();
      } finally {
        release();
      }
    };
    return withMethods(tx, {
      commit: releasing(() => tx.commit()),
      rollback: releasing(() => tx.rollback()),
      close: () => {
        try {
          tx.close();
        } finally {
          release();
        }
      },
    });
  };
  const execute = client.execute.bind(client) as (stmt: InStatement, args?: unknown) => Promise<unknown>;
  return withMethods(client, {
    execute: (stmt: InStatement, args?: unknown) =>
      isRead(stmt) ? execute(stmt, args) : locked(() => execute(stmt, args)),
    batch: (stmts: InStatement[], mode?: TransactionMode) =>
      mode === "read" ? client.batch(stmts, mode) : locked(() => client.batch(stmts, mode)),
    executeMultiple: (sql: string) => locked(() => client.executeMultiple(sql)),
    migrate: (stmts: InStatement[]) => locked(() => client.migrate(stmts)),
    transaction: async (mode?: TransactionMode) => {
      if (mode === "read") return await client.transaction(mode);
      const release = await lock.acquire(timeoutMs);
      try {
        return wrapTransaction(await client.transaction(mode), release);
      } catch (err) {
        release();
        throw err;
      }
    },
  });
}
