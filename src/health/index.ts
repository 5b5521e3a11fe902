import { Elysia } from "elysia";
import type { AppContext } from "../context";
import { json } from "../http/responses";
import { migrationsComplete } from "../store/migrate";

/** /healthz: the process is up. /readyz: the store answers and every migration is applied. */
export function healthRoutes(ctx: AppContext) {
  return new Elysia({ name: "health" })
    .get("/healthz", () => json({ status: "ok" }, 200, { "cache-control": "no-store" }))
    .get("/readyz", async () => {
      try {
        await ctx.store.client.execute("SELECT 1");
        const migrated = await migrationsComplete(ctx.store.client);
        if (!migrated) return json({ status: "not_ready", reason: "migrations pending" }, 503, { "cache-control": "no-store" });
        return json({ status: "ready" }, 200, { "cache-control": "no-store" });
      } catch {
        return json({ status: "not_ready", reason: "store unreachable" }, 503, { "cache-control": "no-store" });
      }
    });
}
