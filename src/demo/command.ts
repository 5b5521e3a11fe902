import type { Command } from "../cli/args";
import { loadConfigFlag } from "../cli/args";
import { systemClock } from "../shared/clock";
import { createLogger } from "../shared/log";
import { seedAllDemo } from "./index";
import type { SeedResult } from "./seed";

/** What `demo seed` prints: the rows this run added, per table, or that nothing changed. */
export function describeSeedResult(result: Exclude<SeedResult, { status: "skipped" }>): string {
  if (result.status === "unchanged") return "demo data already seeded, nothing changed";
  const parts = Object.entries(result.added).map(([table, n]) =>
    table === "store_meta" ? "the demo marker" : `${n} ${table} row${n === 1 ? "" : "s"}`,
  );
  return `demo data seeded: added ${parts.join(", ")}`;
}

/**
 * `cavaridge demo seed`: applies migrations and the config sync (so the demo tenants exist), then seeds the
 * demo data. Safe to repeat: rows already there are left alone, and the output lists the rows this run added.
 */
export const demoSeedCommand: Command = {
  summary:
    "create the demo MSP's catalog, deals, quotes, findings and articles; prints the rows added (none the second time)",
  usage: "cavaridge demo seed [--config PATH]",
  async run(argv, io) {
    const loaded = loadConfigFlag(argv, io, this.usage);
    if (typeof loaded === "number") return loaded;
    const { config } = loaded;
    const log = createLogger("warn", {}, (line) => io.err(line));
    const { prepareStore } = await import("../appliance");
    const { store } = await prepareStore(config, io.env, systemClock, log);
    try {
      const result = await seedAllDemo({ store, clock: systemClock, log });
      if (result.status === "skipped") {
        io.err(`demo seed skipped: ${result.reason}`);
        return 1;
      }
      io.out(describeSeedResult(result));
      return 0;
    } finally {
      store.close();
    }
  },
};
