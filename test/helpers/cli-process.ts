import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { testConfigToml } from "./appliance";

const ROOT = resolve(import.meta.dir, "../..");

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** The command a test runs: the CLI from source (`bun src/main.ts`), or a built binary when given. */
export function cliCommand(bin?: string): string[] {
  return bin ? [bin] : [process.execPath, join(ROOT, "src/main.ts")];
}

/** Runs the real CLI in a child process to completion. */
export async function runCliProcess(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; stdin?: string; bin?: string },
): Promise<CliRun> {
  const proc = Bun.spawn([...cliCommand(opts.bin), ...args], {
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "ignore" : new Blob([opts.stdin]),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(opts.env ?? {}) },
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, out, err };
}

export interface ServeProcess {
  readonly proc: ReturnType<typeof Bun.spawn>;
  /** Resolves once GET url answers 200; throws if the process exits first or the deadline passes. */
  waitFor(url: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code with everything written to stdout and stderr. */
  stop(): Promise<CliRun>;
}

/** Starts `serve` (or any long-running command) in a child process. */
export function spawnCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; bin?: string },
): ServeProcess {
  const proc = Bun.spawn([...cliCommand(opts.bin), ...args], {
    cwd: opts.cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(opts.env ?? {}) },
  });
  const out = new Response(proc.stdout).text();
  const err = new Response(proc.stderr).text();
  return {
    proc,
    async waitFor(url, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last = "no answer";
      while (Date.now() < deadline) {
        if (proc.exitCode !== null)
          throw new Error(`exited with ${proc.exitCode} before ${url} answered:\n${await err}\n${await out}`);
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
          if (res.status === 200) return;
          last = String(res.status);
        } catch (e) {
          last = (e as Error).message;
        }
        await Bun.sleep(100);
      }
      throw new Error(`${url} never answered 200 (last: ${last})`);
    },
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => "timeout" as const)]);
      if (exited === "timeout") proc.kill("SIGKILL");
      return { code: await proc.exited, out: await out, err: await err };
    },
  };
}

/**
 * `cavaridge import …` as a separate OS process against a running test appliance's database: writes a config
 * beside it (the appliance's ports and database file) and returns a runner that passes that config.
 */
export function importCliFor(app: {
  dir: string;
  publicPort: number;
  adminPort: number | null;
  dbPath: string;
}): (args: string[]) => Promise<CliRun> {
  const configPath = join(app.dir, "config.toml");
  writeFileSync(
    configPath,
    testConfigToml({ publicPort: app.publicPort, adminPort: app.adminPort!, dbPath: app.dbPath }),
  );
  return (args) => runCliProcess(["import", ...args, "--config", configPath], { cwd: app.dir });
}
