import { describe, expect, test } from "bun:test";
import type { ToolDefinition } from "../../../src/mcp/define-tool";
import { aegisTools } from "../../../src/surfaces/aegis/index";
import { forgeTools } from "../../../src/surfaces/forge/index";

/** The house conventions for the aegis and forge manifests (issue 5), checked on the schemas clients see. */
const surfaces: [string, ToolDefinition[]][] = [
  ["aegis", aegisTools],
  ["forge", forgeTools],
];

type Schema = { properties?: Record<string, Schema & { description?: string }>; required?: string[]; anyOf?: Schema[] };

function outputProperties(tool: ToolDefinition): Record<string, Schema> {
  const s = tool.outputSchema as Schema;
  const branches = s.anyOf ?? [s];
  return Object.assign({}, ...branches.map((b) => b.properties ?? {}));
}

for (const [surface, tools] of surfaces) {
  describe(`${surface} manifest conventions`, () => {
    test("names, dotted audit actions, descriptions that start with when to use the tool", () => {
      for (const t of tools) {
        expect(t.name).toStartWith(`${surface}_`);
        expect(t.action).toBe(t.name.replace("_", "."));
        expect(t.description).toStartWith("Use this when");
        expect(t.scope).toBe(`${surface}:${t.annotations.readOnlyHint ? "read" : "write"}`);
      }
    });
    test("list and search tools take cursor and limit and return next_cursor", () => {
      for (const t of tools.filter((x) => /_(list|search)_/.test(x.name))) {
        const input = (t.inputSchema as Schema).properties ?? {};
        expect(Object.keys(input)).toEqual(expect.arrayContaining(["cursor", "limit"]));
        expect(input.limit!.description).toContain("default 25, at most 100");
        expect(Object.keys(outputProperties(t))).toContain("next_cursor");
      }
    });
    test("creating tools require an idempotency_key; writes are never read-only", () => {
      for (const t of tools) {
        if (/_save_|_create_/.test(t.name)) expect((t.inputSchema as Schema).required).toContain("idempotency_key");
        if (t.scope.endsWith(":write")) expect(t.annotations.readOnlyHint).toBe(false);
        if (t.annotations.destructiveHint) expect(t.annotations.readOnlyHint).toBe(false);
        expect(t.annotations.openWorldHint).toBe(false);
      }
    });
  });
}

test("only suppress, resolve and forge's archive are destructive", () => {
  const destructive = [...aegisTools, ...forgeTools].filter((t) => t.destructive).map((t) => t.name);
  expect(destructive.sort()).toEqual(["aegis_resolve_finding", "aegis_suppress_finding", "forge_archive_document"]);
});
