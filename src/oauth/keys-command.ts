import type { Command } from "../cli/args";
import { loadConfigFlag } from "../cli/args";
import { systemClock } from "../shared/clock";
import { createLogger } from "../shared/log";
import { openStore } from "../store/index";
import { applyMigrations } from "../store/migrate";
import { loadMasterKey, MasterKeyError, rotateSigningKeys } from "./keys";

/**
 * `cavaridge keys rotate`: adds a new active ES256 signing key. Running appliance processes pick it up within a
 * minute; the previous keys stay in JWKS (and keep verifying) until every access token they signed has expired.
 */
export const keysRotateCommand: Command = {
  summary: "add a new OAuth signing key (old keys stay published until their tokens expire)",
  usage: "cavaridge keys rotate [--config PATH]",
  async run(argv, io) {
    const loaded = loadConfigFlag(argv, io, this.usage);
    if (typeof loaded === "number") return loaded;
    const { config } = loaded;
    const log = createLogger("warn", {}, (line) => io.err(line));
    let masterKey: Buffer;
    try {
      masterKey = loadMasterKey(config, io.env, log);
    } catch (err) {
      if (err instanceof MasterKeyError) return (io.err(err.message), 1);
      throw err;
    }
    const store = await openStore(config.database.url, io.env[config.database.auth_token_env]);
    try {
      await applyMigrations(store.client);
      const { kid, retired } = await rotateSigningKeys(store.db, masterKey, config, systemClock());
      io.out(
        `new signing key ${kid}${retired.length > 0 ? `; retired (still published until their tokens expire): ${retired.join(", ")}` : ""}`,
      );
      return 0;
    } finally {
      store.close();
    }
  },
};
