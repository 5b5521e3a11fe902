import pkg from "../../package.json" with { type: "json" };
import { describeChainBreaks, verifyAuditChain } from "../audit/log";
import { openStore } from "../store/index";
import { applyMigrations } from "../store/migrate";
import { loadConfigFlag, runCommand, type Command, type CommandIo } from "./args";
import { backupCommand, restoreCommand } from "./backup";
import { healthcheck } from "./healthcheck";
import { importCommand } from "./import";
import { initCommand } from "./init";
import { serveCommand } from "./serve";
import {
  hashPasswordCommand,
  tenantAddCommand,
  userAddCommand,
  userDisableCommand,
  userSetPasswordCommand,
} from "./users";
import { demoSeedCommand } from "../demo/command";
import { keysRotateCommand } from "../oauth/keys-command";
import { auditVerifyCheckpointCommand } from "../observability/verify-command";

const migrate: Command = {
  summary: "apply pending database migrations and exit",
  usage: "cavaridge migrate [--config PATH]",
  async run(argv, io) {
    const loaded = loadConfigFlag(argv, io, this.usage);
    if (typeof loaded === "number") return loaded;
    const { config } = loaded;
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
    const loaded = loadConfigFlag(argv, io, this.usage);
    if (typeof loaded === "number") return loaded;
    const { path, config } = loaded;
    io.out(
      `${path}: ok (${config.tenants.length} tenants, ${config.users.length} users, public_url ${config.server.public_url})`,
    );
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
  summary: "verify the audit log's hash chain (lists every broken range; exit 2 when any), or --checkpoint FILE",
  usage: "cavaridge audit verify [--config PATH] [--checkpoint FILE]",
  async run(argv, io) {
    if (argv.some((a) => a === "--checkpoint" || a.startsWith("--checkpoint=")))
      return auditVerifyCheckpointCommand.run(argv, io);
    const loaded = loadConfigFlag(argv, io, this.usage);
    if (typeof loaded === "number") return loaded;
    const { config } = loaded;
    const store = await openStore(config.database.url, io.env[config.database.auth_token_env]);
    try {
      const result = await verifyAuditChain(store.client);
      const head = result.head ? `; head seq=${result.head.seq} hash=${result.head.hash}` : "";
      if (result.ok) {
        io.out(`audit chain ok: ${result.rows} rows${head}`);
        return 0;
      }
      io.err(`audit chain BROKEN: ${result.breaks.length} broken range(s) in ${result.rows} rows${head}`);
      for (const line of describeChainBreaks(result.breaks)) io.err(`  ${line}`);
      return 2;
    } finally {
      store.close();
    }
  },
};

/** Every CLI command, by its words. Features add theirs here. */
export const COMMANDS: Record<string, Command> = {
  init: initCommand,
  serve: serveCommand,
  migrate,
  "config check": configCheck,
  "user add": userAddCommand,
  "user set-password": userSetPasswordCommand,
  "user disable": userDisableCommand,
  "user hash-password": hashPasswordCommand,
  "tenant add": tenantAddCommand,
  backup: backupCommand,
  restore: restoreCommand,
  "audit verify": auditVerify,
  version,
  healthcheck,
  "demo seed": demoSeedCommand,
  import: importCommand,
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
  return await runCommand(command, rest, io);
}
