import { describe, expect, test } from "bun:test";
import { isCompiledEntry, SERVE_JSC_OPTIONS, serveExecPlan, type ProcessFacts } from "../../../src/cli/heap-policy";

const compiled = (args: string[], env: Record<string, string | undefined> = { PATH: "/usr/bin" }): ProcessFacts => ({
  argv: ["bun", "/$bunfs/root/cavaridge", ...args],
  argv0: "/usr/local/bin/cavaridge",
  execPath: "/usr/local/bin/cavaridge",
  env,
});

describe("serve's JavaScriptCore heap options", () => {
  test("the compiled executable's serve replaces itself with the same executable, arguments and environment plus the options", () => {
    const plan = serveExecPlan(
      compiled(["serve", "--config", "/etc/cavaridge/config.toml"], { PATH: "/usr/bin", A: "1" }),
    );
    expect(plan).toEqual({
      file: "/usr/local/bin/cavaridge",
      args: ["/usr/local/bin/cavaridge", "serve", "--config", "/etc/cavaridge/config.toml"],
      env: { PATH: "/usr/bin", A: "1", ...SERVE_JSC_OPTIONS },
    });
  });

  test("the replaced process finds its options set and does not replace itself again", () => {
    const first = serveExecPlan(compiled(["serve"]));
    expect(first).not.toBeNull();
    expect(serveExecPlan(compiled(["serve"], first?.env))).toBeNull();
  });

  test("an option the operator set is kept, not overridden", () => {
    const env = { PATH: "/usr/bin", BUN_JSC_heapGrowthMaxIncrease: "2" };
    expect(serveExecPlan(compiled(["serve"], env))).toBeNull();
  });

  test("other commands and runs from source are left alone", () => {
    expect(serveExecPlan(compiled(["version"]))).toBeNull();
    expect(serveExecPlan(compiled(["user", "disable", "a@b.example"]))).toBeNull();
    expect(serveExecPlan(compiled([]))).toBeNull();
    expect(
      serveExecPlan({ ...compiled([]), argv: ["/usr/bin/bun", "/srv/cavaridge/src/main.ts", "serve"] }),
    ).toBeNull();
  });

  test("the embedded entry is recognised on Linux, macOS and Windows, and nothing else is", () => {
    expect(isCompiledEntry("/$bunfs/root/cavaridge")).toBe(true);
    expect(isCompiledEntry("B:/~BUN/root/cavaridge.exe")).toBe(true);
    expect(isCompiledEntry("/srv/cavaridge/src/main.ts")).toBe(false);
    expect(isCompiledEntry(undefined)).toBe(false);
  });

  // Bun refuses to start with a JavaScriptCore option it does not know; the executable embeds this same Bun, so a
  // Bun upgrade that drops one of the options fails here (and in scripts/build.ts) instead of at an operator's start.
  test("this Bun starts with the options, and refuses one it does not know", () => {
    const run = (env: Record<string, string>) =>
      Bun.spawnSync([process.execPath, "-e", "0"], { env: { PATH: process.env.PATH ?? "", ...env }, stderr: "pipe" });
    expect(run({ ...SERVE_JSC_OPTIONS }).exitCode).toBe(0);
    const unknown = run({ BUN_JSC_noSuchHeapOption: "1" });
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr.toString()).toContain("invalid JSC environment variable");
  });
});
