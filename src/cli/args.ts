import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/load";
import type { Config } from "../config/schema";

export class UsageError extends Error {
  readonly code = "usage";
}

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  readStdin: () => Promise<string>;
}

export interface Command {
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Runs one command: a usage mistake prints the command's usage, any other failure one line; never throws. */
export async function runCommand(command: Command, argv: string[], io: CommandIo): Promise<number> {
  try {
    return await command.run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nusage: ${command.usage}`);
      return 1;
    }
    io.err(`error: ${(err as Error).message}`);
    return 1;
  }
}

/** --config PATH, else $CAVARIDGE_CONFIG, else /etc/cavaridge/config.toml when present, else ./config.toml. */
export function resolveConfigPath(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag) return flag;
  if (env.CAVARIDGE_CONFIG) return env.CAVARIDGE_CONFIG;
  if (existsSync("/etc/cavaridge/config.toml")) return "/etc/cavaridge/config.toml";
  return "./config.toml";
}

export function parseFlags(argv: string[], options: Record<string, { type: "string" | "boolean"; short?: string }>) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Loads the config a command was pointed at; on a config error prints every problem with its key path and returns null. */
export function loadConfigOrReport(path: string, io: CommandIo): Config | null {
  try {
    return loadConfig(path, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`config error in ${err.source}:`);
      for (const p of err.problems) io.err(`  ${p.path}: ${p.message}`);
      return null;
    }
    throw err;
  }
}

/**
 * The head of every command whose only flag is --config: `--help` prints `usage` (exit 0); otherwise the config is
 * loaded and each problem reported with its key path (exit 1). Returns that exit code, or the config and its path.
 */
export function loadConfigFlag(
  argv: string[],
  io: CommandIo,
  usage: string,
): number | { path: string; config: Config } {
  const { values } = parseFlags(argv, { config: { type: "string" } });
  if (values.help) return (io.out(usage), 0);
  const path = resolveConfigPath((values as { config?: string }).config, io.env);
  const config = loadConfigOrReport(path, io);
  return config ? { path, config } : 1;
}
