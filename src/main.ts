#!/usr/bin/env bun
// First: arktype reads its configuration when it is first imported.
import "./shared/arktype-mode";
import { serveExecPlan } from "./cli/heap-policy";

// Before the rest is loaded: `serve` in the compiled executable replaces itself once with the same executable and
// arguments plus its JavaScriptCore heap options, which the runtime reads only at its start (cli/heap-policy.ts).
const plan = serveExecPlan(process);
if (plan && process.execve) {
  try {
    process.execve(plan.file, plan.args, plan.env);
  } catch (err) {
    // Only memory depends on it (e.g. an upgrade removed the executable at this very moment): serve anyway.
    process.stderr.write(`serve: running with the runtime's default heap policy (${(err as Error).message})\n`);
  }
}

const { loadCli } = await import("./cli/entry");
const runCli = await loadCli(process.argv.slice(2));

/** Entry point of the single executable: `cavaridge <command>`. */
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  readStdin: async () => await new Response(Bun.stdin.stream()).text(),
});
// Let callbacks queued by the server's last responses (access-log lines) run before the process ends.
await new Promise((resolve) => setTimeout(resolve, 20));
process.exit(code);
