import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "../../helpers/appliance";

/**
 * The folder rule ARCHITECTURE.md draws ("Which folder may import which") is enforced by biome.json's
 * noRestrictedImports overrides. Each case lints a probe file placed at a path inside a scratch copy of the
 * repo's biome.json, so removing or loosening an override makes the matching case fail.
 */
const root = join(import.meta.dir, "../../..");
const biome = join(root, "node_modules/.bin/biome");
const scratch = tempDir("cavaridge-import-rules-");

function scratchConfig(): string {
  const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8")) as Record<string, unknown>;
  // The scratch directory is no git checkout, and only the probe files are linted.
  delete config.vcs;
  delete config.$schema;
  config.files = { includes: ["src/**"] };
  return JSON.stringify(config);
}

interface Diagnostic {
  category: string;
  location: { path: string };
}

/** Lints one probe at `path` (relative to the scratch root) and returns its noRestrictedImports diagnostics. */
function restrictedImports(path: string, source: string): Diagnostic[] {
  const dir = join(scratch, String(Math.random()).slice(2));
  mkdirSync(join(dir, dirname(path)), { recursive: true });
  writeFileSync(join(dir, "biome.json"), scratchConfig());
  writeFileSync(join(dir, path), source);
  const run = Bun.spawnSync([biome, "lint", "--reporter=json", "src"], { cwd: dir, stderr: "pipe" });
  const report = JSON.parse(run.stdout.toString()) as { diagnostics: Diagnostic[] };
  return report.diagnostics.filter((d) => d.category === "lint/style/noRestrictedImports");
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("folder import rule (biome.json noRestrictedImports, ARCHITECTURE.md)", () => {
  test("a surface importing admin or OAuth internals is refused", () => {
    expect(
      restrictedImports("src/surfaces/kit/probe.ts", 'export { adminRoutes } from "../../admin/index";\n'),
    ).toHaveLength(1);
    expect(
      restrictedImports(
        "src/surfaces/aegis/tools/probe.ts",
        'export { BearerVerifier } from "../../../oauth/bearer";\n',
      ),
    ).toHaveLength(1);
  });

  test("a surface importing demo data is refused; demo importing a surface is allowed", () => {
    expect(
      restrictedImports("src/surfaces/forge/probe.ts", 'export { demoSeedOnStart } from "../../demo/index";\n'),
    ).toHaveLength(1);
    expect(restrictedImports("src/demo/probe.ts", 'export { aegisTools } from "../surfaces/aegis/index";\n')).toEqual(
      [],
    );
  });

  test("src/mcp importing a surface, and a base layer importing a feature, are refused", () => {
    expect(
      restrictedImports("src/mcp/probe.ts", 'export { SURFACE_REGISTRY } from "../surfaces/index";\n'),
    ).toHaveLength(1);
    expect(restrictedImports("src/store/probe.ts", 'export { BearerVerifier } from "../oauth/bearer";\n')).toHaveLength(
      1,
    );
  });

  test("a surface's services never import src/mcp; its tools and index.ts may", () => {
    const mcp = (up: string) => `export { ToolError } from "${up}mcp/define-tool";\n`;
    expect(restrictedImports("src/surfaces/aegis/findings-probe.ts", mcp("../../"))).toHaveLength(1);
    expect(restrictedImports("src/surfaces/forge/search-probe.ts", mcp("../../"))).toHaveLength(1);
    expect(restrictedImports("src/surfaces/cavalier/tools/probe.ts", mcp("../../../"))).toEqual([]);
    expect(restrictedImports("src/surfaces/cavalier/index.ts", mcp("../../"))).toEqual([]);
    expect(restrictedImports("src/surfaces/kit/probe.ts", mcp("../../"))).toEqual([]);
  });

  test("only a feature's index.ts imports elysia", () => {
    const elysia = 'export { Elysia } from "elysia";\n';
    expect(restrictedImports("src/oauth/token-probe.ts", elysia)).toHaveLength(1);
    expect(restrictedImports("src/surfaces/cavalier/index.ts", elysia)).toHaveLength(1);
    expect(restrictedImports("src/oauth/index.ts", elysia)).toEqual([]);
    expect(restrictedImports("src/app.ts", elysia)).toEqual([]);
  });

  test("src/import writes through the surfaces and is called by the CLI and admin, never the reverse", () => {
    expect(
      restrictedImports("src/import/probe.ts", 'export { catalogOwnerOf } from "../surfaces/cavalier/catalog";\n'),
    ).toEqual([]);
    expect(restrictedImports("src/import/probe.ts", 'export { adminRoutes } from "../admin/index";\n')).toHaveLength(1);
    expect(restrictedImports("src/import/probe.ts", 'export { runCli } from "../cli/commands";\n')).toHaveLength(1);
    expect(
      restrictedImports("src/surfaces/cavalier/probe.ts", 'export { runImport } from "../../import/service";\n'),
    ).toHaveLength(1);
    expect(restrictedImports("src/admin/probe.ts", 'export { runImport } from "../import/service";\n')).toEqual([]);
  });
});
