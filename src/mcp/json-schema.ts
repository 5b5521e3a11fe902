import type { Type } from "arktype";

/** A JSON Schema object as sent on the wire (tools/list inputSchema / outputSchema). */
export type JsonSchema = { [key: string]: unknown };

/**
 * The JSON Schema of an arktype type, shaped for MCP clients:
 * - the `$schema` key is dropped (MCP 2025-11-25 makes 2020-12 the default dialect, and some client-side
 *   validators refuse an unknown `$schema` URI);
 * - a union of literals becomes a closed `enum` (what ChatGPT and Claude render as a choice list);
 * - constraints JSON Schema cannot state (custom predicates) fall back to their base type: the description
 *   must then say the rule, and the server still enforces it.
 * Morphs are described by their input side, which is what the client must send.
 */
export function toClientJsonSchema(t: Type): JsonSchema {
  const raw = t.in.toJsonSchema({
    fallback: {
      date: (ctx) => ({ ...ctx.base, type: "string", format: "date-time" }),
      default: (ctx) => ctx.base,
    },
  }) as JsonSchema;
  const { $schema: _dialect, ...rest } = raw;
  return simplify(rest) as JsonSchema;
}

function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (!node || typeof node !== "object") return node;
  const obj = node as JsonSchema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(obj)) out[k] = simplify(v);
  const branches = out.anyOf;
  if (Array.isArray(branches) && branches.length > 0 && branches.every(isConstBranch)) {
    const values = branches.map((b) => (b as JsonSchema).const);
    const { anyOf: _branches, ...restOut } = out;
    const types = new Set(values.map((v) => (v === null ? "null" : typeof v)));
    const onlyType = types.size === 1 ? [...types][0] : undefined;
    const typed = onlyType === "string" || onlyType === "number" || onlyType === "boolean" ? { type: onlyType } : {};
    return { ...typed, enum: values, ...restOut };
  }
  return out;
}

function isConstBranch(b: unknown): boolean {
  if (!b || typeof b !== "object") return false;
  const keys = Object.keys(b);
  return "const" in b && keys.every((k) => k === "const" || k === "description");
}

/**
 * Names every property (recursively, through arrays and nested objects) that has no `description`.
 * A tool whose parameters are not all described is refused at definition time (docs/mcp-client-compat.md I3).
 */
export function undescribedProperties(schema: JsonSchema, path = ""): string[] {
  const missing: string[] = [];
  const props = schema.properties;
  if (props && typeof props === "object") {
    for (const [name, sub] of Object.entries(props as Record<string, JsonSchema>)) {
      const here = path ? `${path}.${name}` : name;
      if (typeof sub?.description !== "string" || sub.description.trim() === "") missing.push(here);
      missing.push(...undescribedProperties(sub, here));
    }
  }
  const items = schema.items;
  if (items && typeof items === "object" && !Array.isArray(items))
    missing.push(...undescribedProperties(items as JsonSchema, `${path}[]`));
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const list = schema[key];
    if (Array.isArray(list)) for (const b of list) missing.push(...undescribedProperties(b as JsonSchema, path));
  }
  return missing;
}
