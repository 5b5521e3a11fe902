import { describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../../..");

/** Loads the CLI for `argv` in a fresh process and lists the repository's modules that were evaluated. */
function modulesLoadedFor(argv: string[]): string[] {
  const script = `
    const { loadCli } = await import(${JSON.stringify(join(ROOT, "src/cli/entry.ts"))});
    const run = await loadCli(${JSON.stringify(argv)});
    if (typeof run !== "function") throw new Error("loadCli returned no runner");
    console.log(JSON.stringify(Object.keys(require.cache)));
  `;
  const r = Bun.spawnSync([process.execPath, "--preload", join(ROOT, "src/shared/arktype-mode.ts"), "--eval", script], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return (JSON.parse(r.stdout.toString()) as string[])
    .filter((p) => p.startsWith(join(ROOT, "src")))
    .map((p) => p.slice(ROOT.length + 1));
}

describe("src/cli/entry.ts: what a command loads", () => {
  // The server keeps whatever its start evaluated for its whole life: the other commands' modules (CSV and ZIP
  // import, demo seeding, config editing) held about 1 MiB of RSS at rest in the compiled executable.
  test("serve loads its own module, not the command table or the other commands", () => {
    const loaded = modulesLoadedFor(["serve", "--config", "x.toml"]);
    expect(loaded).toContain("src/cli/serve.ts");
    for (const other of ["src/cli/commands.ts", "src/cli/import.ts", "src/cli/users.ts", "src/cli/backup.ts"])
      expect(loaded).not.toContain(other);
    expect(loaded.filter((p) => p.startsWith("src/import/"))).toEqual([]);
    // The store's modules (and libsql with its addon) load only after the config, once the addon's decompression,
    // started here on another thread, has had the time to finish (src/store/embedded-addon.ts).
    expect(loaded).not.toContain("src/store/index.ts");
  }, 30_000);

  test("every other command goes through the command table", () => {
    const loaded = modulesLoadedFor(["config", "check"]);
    expect(loaded).toContain("src/cli/commands.ts");
  }, 30_000);
});
