import pkg from "../../package.json" with { type: "json" };
import { verifyAuditChain } from "../audit/log";
import { isLoopbackHost } from "../config/load";
import type { Config } from "../config/schema";
import { createLogger } from "../shared/log";
import { openStore, StoreError } from "../store/index";
import { applyMigrations } from "../store/migrate";
import { loadConfigOrReport, parseFlags, resolveConfigPath, UsageError, type Command, type CommandIo } from "./args";
import { healthcheck } from "./healthcheck";
import { demoSeedCommand } from "../demo/command";
import { keysRotateCommand } from "../oauth/keys-command";
import { auditVerifyCheckpointCommand } from "../observability/verify-command";

export const DEMO_PASSWORD = "cavaridge-demo";

/** Users whose password is still the documented demo password. */
export async function demoAccounts(config: Config): Promise<string[]> {
  const found: string[] = [];
  for (const u of config.users) {
    if (!u.disabled && (await Bun.password.verify(DEMO_PASSWORD, u.password_hash).catch(() => false)))
      found.push(u.email);
  }
  return found;
}

const serve: Command = {
  summary: "run the appliance (public listener, admin listener)",
  usage: "cavaridge serve [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const config = loadConfigOrReport(resolveConfigPath((values as { config?: string }).config, io.env), io);
    if (!config) return 1;
    const log = createLogger(config.log.level);
    const demo = await demoAccounts(config);
    if (demo.length > 0) {
      const host = new URL(config.server.public_url).hostname;
      const listenHost = config.server.listen.replace(/:\d+$/, "");
      // Reachable from elsewhere when the public URL or the listener is not loopback (Docker binds 0.0.0.0).
      if (!isLoopbackHost(host) || !isLoopbackHost(listenHost)) {
        log.warn(
          "DEMO ACCOUNTS ARE ACTIVE ON A PUBLIC URL: anyone who reads the README can sign in. Replace their password_hash or disable them.",
          { accounts: demo, public_url: config.server.public_url },
        );
        io.err(
          `WARNING: demo accounts with the published demo password are active on ${config.server.public_url} (listening on ${config.server.listen}): ${demo.join(", ")}`,
        );
      } else {
        log.info("demo accounts active (loopback only)", { accounts: demo.length });
      }
    }
    const { startAppliance } = await import("../appliance");
    let appliance;
    try {
      appliance = await startAppliance({ config, env: io.env, log });
    } catch (err) {
      if (err instanceof StoreError) return (io.err(`database error: ${err.message}`), 1);
      const e = err as NodeJS.ErrnoException;
      if (e.code === "EADDRINUSE" || /address.*in use/i.test(e.message ?? ""))
        return (io.err(`cannot listen: ${e.message}`), 1);
      throw err;
    }
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        log.info("shutting down", { signal });
        appliance.stop().then(resolve, resolve);
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
    });
    return 0;
  },
};

const migrate: Command = {
  summary: "apply pending database migrations and exit",
  usage: "cavaridge migrate [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const config = loadConfigOrReport(resolveConfigPath((values as { config?: string }).config, io.env), io);
    if (!config) return 1;
    try {
      const store = await openStore(config.database.url, io.env[config.database.auth_token_env]);
      const result = await applyMigrations(store.client);
      store.close();
      io.out(
        result.applied.length > 0
          ? `applied: ${result.applied.join(", ")}`
          : `up to date (${result.alreadyApplied} migrations)`,
      );
      return 0;
    } catch (err) {
      io.err(`database error: ${(err as Error).message}`);
      return 1;
    }
  },
};

const configCheck: Command = {
  summary: "validate a config file and print every problem with its key path",
  usage: "cavaridge config check [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const path = resolveConfigPath((values as { config?: string }).config, io.env);
    const config = loadConfigOrReport(path, io);
    if (!config) return 1;
    io.out(
      `${path}: ok (${config.tenants.length} tenants, ${config.users.length} users, public_url ${config.server.public_url})`,
    );
    return 0;
  },
};

const hashPassword: Command = {
  summary: "read a password on stdin and print its argon2id hash for the config",
  usage: "printf '%s' 'password' | cavaridge user hash-password",
  async run(argv, io) {
    const { values } = parseFlags(argv, {});
    if (values.help) return (io.out(this.usage), 0);
    const password = (await io.readStdin()).replace(/\r?\n$/, "");
    if (password.length < 8) return (io.err("password must be at least 8 characters (read from stdin)"), 1);
    io.out(await Bun.password.hash(password, { algorithm: "argon2id" }));
    return 0;
  },
};

const version: Command = {
  summary: "print the version",
  usage: "cavaridge version",
  async run(_argv, io) {
    io.out(`cavaridge ${pkg.version}`);
    return 0;
  },
};

const auditVerify: Command = {
  summary: "verify the audit log's hash chain; names the first broken row",
  usage: "cavaridge audit verify [--config PATH] [--checkpoint FILE]",
  async run(argv, io) {
    if (argv.some((a) => a === "--checkpoint" || a.startsWith("--checkpoint=")))
      return auditVerifyCheckpointCommand.run(argv, io);
    const { values } = parseFlags(argv, { config: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const config = loadConfigOrReport(resolveConfigPath((values as { config?: string }).config, io.env), io);
    if (!config) return 1;
    const store = await openStore(config.database.url, io.env[config.database.auth_token_env]);
    try {
      const result = await verifyAuditChain(store.client);
      if (result.ok) {
        io.out(`audit chain ok: ${result.rows} rows`);
        return 0;
      }
      io.err(
        `audit chain BROKEN at row seq=${result.brokenAt!.seq} id=${result.brokenAt!.id} (${result.brokenAt!.reason}); ${result.rows} rows before it verify`,
      );
      return 2;
    } finally {
      store.close();
    }
  },
};

/** Every CLI command, by its words. Features add theirs here. */
export const COMMANDS: Record<string, Command> = {
  serve,
  migrate,
  "config check": configCheck,
  "user hash-password": hashPassword,
  "audit verify": auditVerify,
  version,
  healthcheck,
  "demo seed": demoSeedCommand,
  "keys rotate": keysRotateCommand,
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    "usage: cavaridge <command> [options]",
    "",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `cavaridge <command> --help` for a command's options.",
  ].join("\n");
}

/** Dispatches argv (without the program name) to a command. Never throws for user mistakes. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.out(usage());
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === "--version") argv = ["version"];
  const two = argv.slice(0, 2).join(" ");
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [argv[0]!, argv.slice(1)];
  const command = COMMANDS[name];
  if (!command) {
    io.err(`unknown command "${argv.slice(0, 2).join(" ")}"\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nusage: ${command.usage}`);
      return 1;
    }
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}
