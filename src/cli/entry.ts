import { prefetchEmbeddedAddon } from "../store/embedded-addon";
import type { CommandIo } from "./args";

/** Runs the CLI on argv (without the program name) and returns the exit code. */
export type RunCli = (argv: string[], io: CommandIo) => Promise<number>;

/**
 * Loads the CLI for these arguments. `serve` is the one command that keeps running, so only its own module is
 * loaded: the other commands' modules, and what they import (the import kinds and their parsers, demo seeding,
 * config editing), would otherwise be evaluated at every start and stay in the server's heap for its whole life
 * (about 1 MiB of RSS at rest on the compiled executable). Everything else, `serve --help` included, behaves as the
 * command table has it (src/cli/commands.ts). `serve` also starts decompressing the libSQL addon the executable
 * carries (src/store/embedded-addon.ts) on another thread while its main thread loads arktype and the config.
 */
export async function loadCli(argv: readonly string[]): Promise<RunCli> {
  if (argv[0] === "serve") {
    prefetchEmbeddedAddon();
    const [{ serveCommand }, { runCommand }] = await Promise.all([import("./serve"), import("./args")]);
    return (args, io) => runCommand(serveCommand, args.slice(1), io);
  }
  return (await import("./commands")).runCli;
}
