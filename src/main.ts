#!/usr/bin/env bun
// First: arktype reads its configuration when it is first imported.
import "./shared/arktype-mode";
import { runCli } from "./cli/commands";

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
