import { Elysia } from "elysia";
import type { AppContext } from "../context";
import { json } from "../http/responses";
import { storeMeta } from "../store/schema/tenancy";
import { migrationsComplete } from "../store/migrate";

const NO_STORE = { "cache-control": "no-store" };
/** A probe result is reused this long, so a load balancer polling hard cannot turn readiness into write load. */
const PROBE_REUSE_MS = 1000;

type Probe = { ready: true } | { ready: false; reason: string };

/**
 * /healthz: the process is up. /readyz: the store answers, every migration is applied, and it accepts a write —
 * a node whose disk is full can only fail every call (each one needs its audit row), so it must leave the pool.
 */
export function healthRoutes(ctx: AppContext) {
  let last: { at: number; probe: Probe } | null = null;
  let running: Promise<Probe> | null = null;

  async function probe(): Promise<Probe> {
    try {
      if (!(await migrationsComplete(ctx.store.client))) return { ready: false, reason: "migrations pending" };
    } catch {
      return { ready: false, reason: "store unreachable" };
    }
    try {
      const now = ctx.clock();
      await ctx.store.db
        .insert(storeMeta)
        .values({ key: "readyz.heartbeat", value: String(now), updatedAt: Math.floor(now / 1000) })
        .onConflictDoUpdate({ target: storeMeta.key, set: { value: String(now), updatedAt: Math.floor(now / 1000) } });
      return { ready: true };
    } catch {
      return { ready: false, reason: "store not writable" };
    }
  }

  return new Elysia({ name: "health" })
    .get("/healthz", () => json({ status: "ok" }, 200, NO_STORE))
    .get("/readyz", async () => {
      const t = performance.now();
      if (!last || t - last.at >= PROBE_REUSE_MS) {
        running ??= probe().finally(() => {
          running = null;
        });
        last = { at: t, probe: await running };
      }
      const p = last.probe;
      return p.ready
        ? json({ status: "ready" }, 200, NO_STORE)
        : json({ status: "not_ready", reason: p.reason }, 503, NO_STORE);
    });
}
