import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../../..");

/** arktype runs jitless in the appliance (src/shared/arktype-mode.ts): less start CPU, about 30 MB less RSS. */
describe("arktype mode", () => {
  test("types built after src/shared/arktype-mode.ts is imported are not compiled to code", async () => {
    const script = `
      import "${join(ROOT, "src/shared/arktype-mode.ts")}";
      const { type } = await import("arktype");
      const t = type({ name: "string > 0", "tags?": "string[]" });
      console.log(JSON.stringify({ precompiled: t.internal.precompilation !== undefined, ok: t({ name: "x" }) instanceof type.errors === false, refused: t({ name: "" }) instanceof type.errors }));
    `;
    const proc = Bun.spawn([process.execPath, "-e", script], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(code, err).toBe(0);
    expect(JSON.parse(out.trim())).toEqual({ precompiled: false, ok: true, refused: true });
  });

  test("src/main.ts imports it before anything else, so it is in effect before arktype is first imported", () => {
    const firstImport = /^import\s+(?:[^"']*from\s+)?["']([^"']+)["']/m.exec(
      readFileSync(join(ROOT, "src/main.ts"), "utf8"),
    );
    expect(firstImport?.[1]).toBe("./shared/arktype-mode");
  });
});
