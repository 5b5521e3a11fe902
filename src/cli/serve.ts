import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { demoAccounts, demoRefusal } from "../demo/exposure";
import { startBanner } from "../ops/banner";
import { writeSecretFile } from "../ops/secrets";
import { createLogger } from "../shared/log";
import { embeddedAddonSettled } from "../store/embedded-addon";
import { StoreError } from "../store/store-error";
import { loadConfigOrReport, parseFlags, resolveConfigPath, type Command } from "./args";
import { IdleShrink } from "./idle-memory";
import { runInit } from "./init";

/** Where `serve --init-if-missing` leaves the generated admin password: beside the config, never in a log. */
export const INITIAL_PASSWORD_FILE = "initial-admin-password";

export const serveCommand: Command = {
  summary: "run the appliance (public listener, admin listener)",
  usage: "cavaridge serve [--config PATH] [--init-if-missing]",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" }, "init-if-missing": { type: "boolean" } });
    if (values.help) return (io.out(this.usage), 0);
    const path = resolveConfigPath((values as { config?: string }).config, io.env);
    if ((values as { "init-if-missing"?: boolean })["init-if-missing"] && !existsSync(path)) {
      // First start on an empty volume (Docker): the password goes to a 0600 file, because stdout is a log.
      const result = await runInit({}, path, io);
      if (!result) return 1;
      const passwordFile = join(dirname(path), INITIAL_PASSWORD_FILE);
      // A file left from an earlier volume holds a password that no longer exists; this one replaces it.
      rmSync(passwordFile, { force: true });
      writeSecretFile(passwordFile, `${result.password}\n`);
      createLogger(result.config.log.level).info("initialised a new config", {
        config: path,
        admin: result.adminEmail,
        // The key name avoids "password": the log redactor would blank the path the operator needs.
        first_sign_in_file: passwordFile,
        master_key_file: result.masterKeyPath,
      });
    }
    const config = loadConfigOrReport(path, io);
    if (!config) return 1;
    const refusal = demoRefusal(config);
    if (refusal) {
      for (const line of refusal) io.err(line);
      return 1;
    }
    const log = createLogger(config.log.level);
    const demo = demoAccounts(config);
    if (demo.length > 0) log.info("demo accounts active (loopback only)", { accounts: demo.length });
    // The libSQL addon has been decompressing on another thread since the start (cli/entry.ts); its result reaches
    // this thread through the event loop, so let it arrive before the store's modules load and need the addon.
    await embeddedAddonSettled();
    const { startAppliance } = await import("../appliance");
    let appliance: Awaited<ReturnType<typeof startAppliance>>;
    try {
      appliance = await startAppliance({ config, env: io.env, log });
    } catch (err) {
      if (err instanceof StoreError) return (io.err(`database error: ${err.message}`), 1);
      const e = err as NodeJS.ErrnoException;
      if (e.code === "EADDRINUSE" || /address.*in use/i.test(e.message ?? ""))
        return (io.err(`cannot listen: ${e.message}`), 1);
      throw err;
    }
    // The executable starts with the JIT held back for the once-only start code (scripts/build.ts, jitPolicy);
    // from here on the request paths are the hot code, so the normal tier-up policy applies.
    Bun.unsafe.setJITPolicy(1);
    for (const line of startBanner(config, { adminPort: appliance.adminPort })) io.err(line);
    const stopIdleShrink = new IdleShrink(
      (now) => appliance.idleFor(now),
      () => {
        log.debug("idle: giving memory back");
        Bun.shrink();
      },
    ).start();
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        stopIdleShrink();
        process.off("SIGHUP", reload);
        log.info("shutting down", { signal });
        appliance.stop().then(resolve, resolve);
      };
      // systemctl reload (ExecReload=kill -HUP $MAINPID) and `docker kill -s HUP` re-read the config.
      const reload = () => {
        void appliance.reload(path, io.env).catch((err) => log.error("reload failed", { error: err }));
      };
      process.on("SIGHUP", reload);
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
    });
    return 0;
  },
};
