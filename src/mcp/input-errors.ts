import type { ArkErrors } from "arktype";
import type { JsonSchema } from "./json-schema";

/**
 * Turns arktype's validation errors into a message a model can act on. arktype words a failed constraint with the
 * parameter's description ("key must be A unique key … (was 2)"), which hides the rule that failed, so the rule
 * is restated from the JSON Schema the client was given (the same one the input was validated against), with the
 * value that was sent. Pure.
 */
export function describeInputErrors(errors: ArkErrors, schema: JsonSchema, args: unknown): string {
  const lines: string[] = [];
  for (const e of errors) {
    const path = formatPath(e.path);
    if (e.code === "predicate" && e.expected === "removed") {
      lines.push(`${path} is not a parameter of this tool; remove it`);
      continue;
    }
    if (e.code === "predicate") {
      // A rule JSON Schema cannot state (e.g. src/shared/string-types.ts): arktype's words are the rule itself.
      lines.push(`${path} must be ${e.expected} (got ${shown(valueAt(args, e.path))})`);
      continue;
    }
    const prop = schemaAt(schema, e.path);
    const rule = prop ? ruleOf(prop) : null;
    if (e.code === "required") {
      lines.push(`${path} is required${rule ? `: ${rule}` : ""}`);
      continue;
    }
    if (!rule) {
      lines.push(e.message);
      continue;
    }
    lines.push(`${path} must be ${rule} (got ${shown(valueAt(args, e.path))})`);
  }
  return lines.join("; ");
}

function formatPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
      "",
    ) || "arguments"
  );
}

function schemaAt(schema: JsonSchema, path: readonly PropertyKey[]): JsonSchema | null {
  let node: JsonSchema | undefined = schema;
  for (const key of path) {
    if (!node) return null;
    if (typeof key === "number") node = node.items as JsonSchema | undefined;
    else node = (node.properties as Record<string, JsonSchema> | undefined)?.[String(key)];
  }
  return node ?? null;
}

function valueAt(args: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = args;
  for (const key of path)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** The rule a JSON Schema node states, in words: "a string of 8 to 128 characters", "one of "a", "b"". */
function ruleOf(node: JsonSchema): string | null {
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if ("const" in node) return `exactly ${JSON.stringify(node.const)}`;
  const between = (lo: unknown, hi: unknown, unit: string) =>
    lo !== undefined && hi !== undefined
      ? ` of ${lo} to ${hi}${unit}`
      : lo !== undefined
        ? ` of at least ${lo}${unit}`
        : hi !== undefined
          ? ` of at most ${hi}${unit}`
          : "";
  switch (node.type) {
    case "string": {
      const parts = [`a string${between(node.minLength, node.maxLength, " characters")}`];
      if (typeof node.format === "string") parts.push(`in ${node.format} format`);
      if (typeof node.pattern === "string") parts.push(`matching ${node.pattern}`);
      return parts.join(" ");
    }
    case "integer":
    case "number": {
      const noun = node.type === "integer" ? "a whole number" : "a number";
      const lo =
        node.minimum ?? (node.exclusiveMinimum !== undefined ? `more than ${node.exclusiveMinimum}` : undefined);
      const hi =
        node.maximum ?? (node.exclusiveMaximum !== undefined ? `less than ${node.exclusiveMaximum}` : undefined);
      if (lo !== undefined && hi !== undefined) return `${noun} from ${lo} to ${hi}`;
      if (lo !== undefined) return `${noun} ≥ ${lo}`;
      if (hi !== undefined) return `${noun} ≤ ${hi}`;
      return noun;
    }
    case "boolean":
      return "true or false";
    case "array":
      return `a list${between(node.minItems, node.maxItems, " items")}`;
    case "object":
      return "an object";
    default:
      return null;
  }
}
