import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One check of a conformance scenario, as the suite writes it to checks.json. */
export interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  errorMessage?: string;
}

/**
 * Runs the conformance suite's CLI (a Node 22 program; Bun runs it as is) against `url` and returns each scenario's
 * checks by scenario name, from the result folders it writes under `out`.
 */
export async function runConformance(
  cli: string,
  url: string,
  out: string,
  extra: string[] = [],
): Promise<Map<string, Check[]>> {
  const child = Bun.spawn([process.execPath, cli, "server", "--url", url, "-o", out, ...extra], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const [stdout] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const results = new Map<string, Check[]>();
  if (!existsSync(out)) throw new Error(`conformance produced no results:\n${stdout.slice(-2000)}`);
  for (const dir of readdirSync(out)) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(dir);
    const file = join(out, dir, "checks.json");
    if (m && existsSync(file)) results.set(m[1]!, JSON.parse(readFileSync(file, "utf8")) as Check[]);
  }
  return results;
}
