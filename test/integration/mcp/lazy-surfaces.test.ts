import { describe, expect, test } from "bun:test";
import { join } from "node:path";

/**
 * The tool modules (their arktype types are most of what a start would evaluate) are loaded on a surface's first
 * request, not on the path to listening (src/surfaces/index.ts). A static import of a tool module anywhere on the
 * start path would load them all again, so this looks at what a fresh process has actually evaluated.
 */
describe("surfaces load on first use", () => {
  test("no tool module and not the MCP SDK are evaluated by the start; a surface's first request loads that surface only", async () => {
    const fixture = join(import.meta.dir, "../../fixtures/start-path/modules-after-start.ts");
    const proc = Bun.spawn([process.execPath, fixture], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(code, err).toBe(0);
    const report = JSON.parse(out.trim().split("\n").at(-1)!) as {
      afterStart: string[];
      sdkAfterStart: boolean;
      status: number;
      listed: string[];
      afterRequest: string[];
      sdkAfterRequest: boolean;
    };
    expect(report.afterStart).toEqual([]);
    expect(report.sdkAfterStart).toBe(false);
    expect(report.status).toBe(200);
    expect(report.listed).toContain("cavalier_list_tenants");
    expect(report.afterRequest).toContain("cavalier/tools/list-tenants.ts");
    expect(report.afterRequest.filter((m) => !m.startsWith("cavalier/"))).toEqual([]);
    expect(report.sdkAfterRequest).toBe(true);
  });
});
