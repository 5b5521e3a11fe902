import { describe, expect, test } from "bun:test";
import { type } from "arktype";
import { defineTool, ToolDefinitionError } from "../../../src/mcp/define-tool";

const Line = type({
  sku: type("string > 0").describe("a catalog SKU such as OPS-PRO"),
  quantity: type("1 <= number.integer <= 1000").describe("how many seats"),
});

const createThing = defineTool({
  name: "demo_create_thing",
  title: "Create thing",
  action: "demo.create_thing",
  description: "Use when the user asks to create a thing.",
  input: type({
    tenant_id: type("string > 0").describe("the tenant to act on, e.g. contosocare"),
    kind: type("'basic' | 'premium'").describe("which kind of thing"),
    lines: Line.array().atLeastLength(1).describe("the lines of the thing"),
    "note?": type("string <= 200").describe("free-text note"),
  }),
  output: type({ id: "string", total: "number" }),
  scope: "demo:write",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  preview: async (input) => ({ summary: `create ${input.kind} for ${input.tenant_id}`, proposal: input }),
  handler: async (input) => ({ id: "t1", total: input.lines.length }),
});

describe("defineTool", () => {
  test("publishes a described, closed input schema with enums and the confirmation arguments", () => {
    const s = createThing.inputSchema as any;
    expect(s.type).toBe("object");
    expect(s.$schema).toBeUndefined();
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.kind).toEqual({
      type: "string",
      enum: ["basic", "premium"],
      description: "which kind of thing",
    });
    expect(s.properties.lines.items.properties.sku.description).toContain("SKU");
    expect(s.properties.confirmed.type).toBe("boolean");
    expect(s.properties.confirmation_token.type).toBe("string");
    expect(s.required).toEqual(["kind", "lines", "tenant_id"]);
  });

  test("output schema of a destructive tool accepts the envelope or the real result", () => {
    const s = createThing.outputSchema as any;
    expect(s.type).toBe("object");
    expect(s.anyOf).toHaveLength(2);
    expect(s.anyOf[0].properties.status.enum).toEqual(["confirmation_required"]);
  });

  test("validates exactly what the schema says: undeclared keys, bad enums and missing fields are refused", () => {
    expect(createThing.checkInput({ tenant_id: "x", kind: "basic", lines: [{ sku: "A", quantity: 1 }] }).ok).toBe(true);
    const bad = createThing.checkInput({ tenant_id: "x", kind: "gold", lines: [{ sku: "A", quantity: 1 }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain("kind");
    const extra = createThing.checkInput({
      tenant_id: "x",
      kind: "basic",
      lines: [{ sku: "A", quantity: 1 }],
      tenant: "y",
    });
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(extra.message).toContain("tenant");
  });

  test("refuses a dotted name and a missing annotation at definition time; an undescribed or reserved parameter when the schema is first compiled", () => {
    const base = {
      title: "X",
      action: "demo.x",
      description: "Use when testing.",
      output: type({ ok: "boolean" }),
      scope: "demo:read",
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async () => ({ ok: true }),
    };
    // The JSON Schema conversion is off the start path: defining the tool does not run it, its first use does.
    const undescribed = defineTool({ ...base, name: "demo_x", input: type({ a: "string" }) });
    expect(() => undescribed.inputSchema).toThrow(ToolDefinitionError);
    expect(() => undescribed.checkInput({ a: "x" })).toThrow(/describe/);
    expect(() => defineTool({ ...base, name: "demo.x", input: type({ a: type("string").describe("a") }) })).toThrow(
      /name/,
    );
    expect(() =>
      defineTool({
        ...base,
        name: "demo_x",
        input: type({ a: type("string").describe("a") }),
        annotations: { readOnlyHint: true } as any,
      }),
    ).toThrow(/destructiveHint/);
    expect(
      () =>
        defineTool({ ...base, name: "demo_x", input: type({ confirmed: type("boolean").describe("c") }) }).inputSchema,
    ).toThrow(/reserved/);
  });

  test("keeps the human title apart from the dotted audit action", () => {
    expect(createThing.title).toBe("Create thing");
    expect(createThing.action).toBe("demo.create_thing");
    const base = {
      name: "demo_read_thing",
      title: "Read thing",
      action: "demo.read_thing",
      description: "Use when testing.",
      input: type({ a: type("string").describe("a") }),
      output: type({ ok: "boolean" }),
      scope: "demo:read",
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async () => ({ ok: true }),
    };
    expect(defineTool(base).action).toBe("demo.read_thing");
    expect(() => defineTool({ ...base, action: "Read thing" })).toThrow(/action "Read thing"/);
    expect(() => defineTool({ ...base, action: "demo_read_thing" })).toThrow(ToolDefinitionError);
  });
});
