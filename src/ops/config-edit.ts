import { patch } from "@decimalturn/toml-patch";
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { ConfigError, parseConfigText } from "../config/load";
import type { Config } from "../config/schema";

/** The config file as written (before environment overrides and defaults): what an edit changes. */
export interface RawConfig {
  tenants?: Record<string, unknown>[];
  users?: Record<string, unknown>[];
  [section: string]: unknown;
}

/** An edit the file cannot take; `field` names the flag or key at fault. Nothing was written. */
export class ConfigEditError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "invalid_input",
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Edits the TOML config in place: `mutate` changes the parsed document, toml-patch writes the difference back into
 * the original text (comments, key order and blank lines are kept: it works on the source positions of the TOML
 * AST, https://github.com/DecimalTurn/toml-patch), and the result is re-parsed and validated by the config loader
 * before it atomically replaces the file (temp file in the same directory, same mode, rename(2)). Any error leaves
 * the file untouched. Returns the validated config as the appliance will load it.
 */
export function editConfigFile(
  path: string,
  env: Record<string, string | undefined>,
  mutate: (raw: RawConfig) => void,
): Config {
  const text = readFileSync(path, "utf8");
  // Validate the current file first, so an edit never gets blamed for problems that were already there.
  try {
    parseConfigText(text, path, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const first = err.problems[0]!;
    throw new ConfigEditError(
      "invalid_input",
      first.path,
      `${first.message}; the config already has ${err.problems.length} problem(s) (cavaridge config check), fix them first`,
    );
  }
  const raw = parseToml(text) as RawConfig;
  mutate(raw);
  const updated = patch(text, raw);
  const config = parseConfigText(updated, path, env);
  const mode = statSync(path).mode & 0o777;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, updated, { mode, flag: "w" });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return config;
}

/** Names the flag rather than the TOML key when a loader problem is about the entry the command wrote. */
export function problemsForFlags(err: ConfigError, entry: string, flagFor: Record<string, string>): string[] {
  return err.problems.map((p) => {
    const prefix = `${entry}.`;
    if (p.path.startsWith(prefix)) {
      const key = p.path.slice(prefix.length);
      return `${flagFor[key] ?? p.path}: ${p.message}`;
    }
    return `${p.path}: ${p.message}`;
  });
}
