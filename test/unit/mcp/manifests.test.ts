import { describe, expect, test } from "bun:test";
import { ToolSchema } from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import { SURFACES, type SurfaceName } from "../../../src/config/schema";
import type { ToolDefinition } from "../../../src/mcp/define-tool";
import { aegisTools } from "../../../src/surfaces/aegis/index";
import { cavalierTools } from "../../../src/surfaces/cavalier/index";
import { forgeTools } from "../../../src/surfaces/forge/index";
import { HUMAN_TITLE } from "../../helpers/tool-calls";

const manifests: Record<SurfaceName, ToolDefinition[]> = {
  forge: forgeTools,
  cavalier: cavalierTools,
  aegis: aegisTools,
};
const ajv = new AjvJsonSchemaValidator();

describe("product tool manifests, as MCP clients will read them", () => {
  for (const surface of SURFACES) {
    test(`${surface}: names unique and surface-prefixed, scopes of this surface, schemas valid for the SDK and Ajv`, () => {
      const tools = manifests[surface];
      const names = new Set<string>();
      for (const t of tools) {
        expect(names.has(t.name)).toBe(false);
        names.add(t.name);
        expect(t.name.startsWith(`${surface}_`)).toBe(true);
        // The audit action is what rows written while titles were dotted carry: `<surface>.<name without prefix>`.
        expect(t.action).toBe(`${surface}.${t.name.slice(surface.length + 1)}`);
        // Clients show the title to people: words, not an identifier ("Create quote", "Build QBR outline").
        expect(t.title).toMatch(HUMAN_TITLE);
        expect([`${surface}:read`, `${surface}:write`]).toContain(t.scope);
        if (t.annotations.readOnlyHint) expect(t.scope).toBe(`${surface}:read`);
        const wire = {
          name: t.name,
          title: t.title,
          description: t.description,
          inputSchema: t.inputSchema,
          outputSchema: t.outputSchema,
          annotations: { title: t.title, ...t.annotations },
        };
        const parsed = ToolSchema.safeParse(wire);
        expect(parsed.success).toBe(true);
        // What an SDK client does with the output schema: compile it (and later validate structuredContent).
        expect(() => ajv.getValidator(t.outputSchema)).not.toThrow();
        expect(() => ajv.getValidator(t.inputSchema)).not.toThrow();
        expect(JSON.stringify(wire).length).toBeLessThan(20_000);
      }
      expect(tools.some((t) => t.annotations.readOnlyHint)).toBe(true);
      // Issue 4: every surface has at least one read tool and at least one destructive tool (confirmation round-trip).
      expect(tools.some((t) => t.destructive)).toBe(true);
    });
  }
});
