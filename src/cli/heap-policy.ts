/**
 * The JavaScriptCore heap policy the long-running `serve` process of the compiled executable runs with.
 *
 * JavaScriptCore sizes the nursery of its generational collector at up to twice the live heap
 * (`heapGrowthMaxIncrease`, 2 by default) and collects the old generation only once the promoted objects outweigh
 * the nursery three times over. Every request's objects that are still in flight when a nursery collection runs are
 * promoted, so under a steady load the heap grows to several times what is live before a full collection; with
 * about 30 MB live, the appliance's resident memory went from about 120 MiB idle to 210-300 MiB under R1
 * (`tools/call` at c=32). A nursery of half the live heap keeps it near 150 MiB, for more collections: about a
 * fifth less absolute throughput on every request kind and a p99 at c=32 about twice as long (ARCHITECTURE.md,
 * Performance, "Memory, third pass"). An operator who prefers the throughput sets the variable to 1 or 2.
 *
 * JavaScriptCore reads its options from the environment once, when the runtime starts, before any JavaScript runs;
 * Bun passes on the variables named `BUN_JSC_<option>`
 * (https://github.com/oven-sh/webkit/blob/main/Source/JavaScriptCore/runtime/OptionsList.h). A compiled executable
 * cannot carry them, so `serve` replaces its own process image once, at the very start, with the same executable,
 * arguments and environment plus these variables (`execve(2)`: same PID, same open descriptors, so systemd, Docker
 * and a supervisor's signals see no difference). Bun refuses to start with an option it does not know, so
 * scripts/build.ts runs the built executable with these variables and fails the build if it refuses them.
 */

/** The options `serve` runs with, as Bun reads them from the environment. */
export const SERVE_JSC_OPTIONS: Readonly<Record<string, string>> = {
  BUN_JSC_heapGrowthMaxIncrease: "0.5",
};

/** The arguments of one `execve(2)`. */
export interface ExecPlan {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** The process facts the decision needs (`process.*`). */
export interface ProcessFacts {
  argv: readonly string[];
  argv0: string;
  execPath: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * A module path inside a Bun compiled executable: its embedded file system is mounted at `/$bunfs/` (`B:/~BUN/`
 * on Windows). https://bun.com/docs/bundler/executables#embed-assets-files
 */
export function isCompiledEntry(modulePath: string | undefined): boolean {
  return modulePath !== undefined && (modulePath.startsWith("/$bunfs/") || modulePath.startsWith("B:/~BUN/"));
}

/**
 * Whether this process must replace itself to run `serve` with {@link SERVE_JSC_OPTIONS}, and how. Null unless it is
 * the compiled executable running `serve` with one of the options missing from its environment: a value the operator
 * set is kept (to restore JavaScriptCore's default, set `BUN_JSC_heapGrowthMaxIncrease=2`), and the replaced process
 * finds every option set, so it never replaces itself twice. A run from source (`bun src/main.ts`) is left alone.
 */
export function serveExecPlan(p: ProcessFacts): ExecPlan | null {
  if (!isCompiledEntry(p.argv[1]) || p.argv[2] !== "serve") return null;
  const missing = Object.entries(SERVE_JSC_OPTIONS).filter(([name]) => p.env[name] === undefined);
  if (missing.length === 0) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(p.env)) if (value !== undefined) env[name] = value;
  for (const [name, value] of missing) env[name] = value;
  // argv[1] is the embedded entry module, which the executable supplies itself: the new image gets the same argv[0]
  // and the user's arguments.
  return { file: p.execPath, args: [p.argv0, ...p.argv.slice(2)], env };
}
