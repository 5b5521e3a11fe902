import type { Command } from "../cli/args";
import { loadConfigFlag } from "../cli/args";
import { systemClock } from "../shared/clock";
import { createLogger } from "../shared/log";
import { seedAllDemo } from "./index";

/**
 * `cavaridge demo seed`: applies migrations and the config sync (so the demo tenants exist), then seeds the
 * demo data. Safe to repeat: rows already there are left alone.
 */
export const demoSeedCommand: Command = {
  summary:
    "create the demo MSP's catalog, deals, quotes, findings and articles (repeatable; changes nothing the second time)",
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
      io.out(`demo data seeded: ${JSON.stringify(result.surfaces)}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
