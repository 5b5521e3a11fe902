import type { Client } from "@libsql/client";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../shared/clock";
import type { Logger } from "../shared/log";
import type { Store } from "../store/index";

/**
 * Server leases: every `serve` process keeps a row `server.lease.<id>` in store_meta fresh while it runs and deletes
 * it on a clean stop. `restore` reads them to refuse replacing a database a server is using. A lease is a heartbeat,
 * not a lock: SQLite offers no way to see another process's idle connection, and a file lock (flock) is neither
 * available to Bun nor visible across a container boundary, whereas the database row is seen by every process that
 * opens the file. A server that crashed leaves a lease that goes stale after LEASE_STALE_SECONDS.
 */
export const LEASE_PREFIX = "server.lease.";
export const LEASE_INTERVAL_MS = 10_000;
export const LEASE_STALE_SECONDS = 30;

export interface LiveLease {
  key: string;
  holder: string;
  updatedAt: number;
}

export interface ServerLease {
  readonly key: string;
  stop(): Promise<void>;
}

/** Takes a lease for this process and renews it every LEASE_INTERVAL_MS until stop(). */
export async function startServerLease(store: Store, clock: Clock, log: Logger): Promise<ServerLease> {
  const key = `${LEASE_PREFIX}${randomBytes(6).toString("hex")}`;
  const value = JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date(clock()).toISOString() });
  const renew = async () =>
    await store.client.execute({
      sql: "INSERT INTO store_meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at",
      args: [key, value, Math.floor(clock() / 1000)],
    });
  await renew();
  const timer = setInterval(() => {
    renew().catch((err) => log.warn("could not renew the server lease", { error: err }));
  }, LEASE_INTERVAL_MS);
  timer.unref?.();
  return {
    key,
    async stop() {
      clearInterval(timer);
      await store.client.execute({ sql: "DELETE FROM store_meta WHERE key = ?", args: [key] }).catch(() => {});
    },
  };
}

/** Leases renewed within LEASE_STALE_SECONDS of `nowMs`: the servers using this database right now. */
export async function liveServerLeases(client: Client, nowMs: number): Promise<LiveLease[]> {
  const res = await client.execute({
    sql: "SELECT key, value, updated_at FROM store_meta WHERE key LIKE ? AND updated_at >= ?",
    args: [`${LEASE_PREFIX}%`, Math.floor(nowMs / 1000) - LEASE_STALE_SECONDS],
  });
  return res.rows.map((r) => {
    let holder = String(r.value);
    try {
      const v = JSON.parse(holder) as { pid?: number; host?: string };
      holder = `pid ${v.pid} on ${v.host}`;
    } catch {}
    return { key: String(r.key), holder, updatedAt: Number(r.updated_at) };
  });
}
