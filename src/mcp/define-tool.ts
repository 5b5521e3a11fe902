import { type, type Type } from "arktype";
import type { Config, Role, SurfaceName } from "../config/schema";
import type { DbLike } from "../store/index";
import type { TenantScope } from "../tenancy/scope";
import { toClientJsonSchema, undescribedProperties, type JsonSchema } from "./json-schema";
import { describeInputErrors } from "./input-errors";

/**
 * What a tool handler receives: an already-authenticated, already-authorized call. The tenant scope comes
 * from the token's user (never from arguments) and is THE only way to reach tenant data.
 */
export interface ToolContext {
  /** Pass it into every service query; it filters and admits rows by tenant (src/tenancy/scope.ts). */
  scope: TenantScope;
  principal: { userId: string; email: string; name: string; role: Role; tenantId: string };
  client: { clientId: string; clientName: string };
  grantId: string;
  surface: SurfaceName;
  requestId: string;
  /** ms, from the appliance clock at call start. */
  now: number;
  /** For tools that write (readOnlyHint false): the open transaction in which the call's audit row is also written. */
  db: DbLike;
  config: Config;
  /**
   * Adds facts to the detail of this call's audit row (the proposal row, and the `ok` / `confirmed` row), e.g. that
   * a role policy was exceeded and who approved it. Plain data; redacted and capped like the rest of the detail.
   */
  annotateAudit?: (detail: Record<string, unknown>) => void;
}

/** MCP tool annotations; every tool sets all four explicitly (docs/mcp-client-compat.md I1). */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a destructive tool's `preview` returns: shown to the human before anything is written. */
export interface ToolPreview {
  /** Human-readable: exactly what would happen (for a quote: tenant, lines, totals). */
  summary: string;
  /** The structured proposal (what the handler would write). */
  proposal: unknown;
}

/**
 * A business rule the model can correct (bad combination, unknown SKU, closed quote…). Becomes an
 * `isError: true` tool result carrying `message`, audit outcome `tool_error`. The message says what to change.
 */
export class ToolError extends Error {
  readonly code = "tool_error";
  constructor(
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

/** The result of validating tool arguments against the tool's input type. */
export type InputCheck = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * A defined tool, type-erased so that a surface's manifest is a plain `ToolDefinition[]`.
 * The schemas are computed once, on first use; the validators are the tool's arktype types.
 */
export interface ToolDefinition {
  readonly name: string;
  /** What clients show people: human words, e.g. "Create quote". */
  readonly title: string;
  /** The audit row's action, dotted and stable across title edits, e.g. "cavalier.create_quote". */
  readonly action: string;
  readonly description: string;
  readonly scope: string;
  readonly annotations: ToolAnnotations;
  /** destructiveHint: true — calls go through the confirmation round-trip. */
  readonly destructive: boolean;
  /**
   * readOnlyHint: false — the handler runs inside a write transaction that also appends the call's audit row, so
   * the write and its row commit together or not at all. Every destructive tool writes.
   */
  readonly writes: boolean;
  /** The JSON Schema the client sees (including `confirmed` / `confirmation_token` for destructive tools). */
  readonly inputSchema: JsonSchema;
  /** The JSON Schema of structuredContent (for destructive tools: the confirmation envelope OR the real result). */
  readonly outputSchema: JsonSchema;
  /** Validates the tool's own arguments (without `confirmed` / `confirmation_token`). */
  checkInput(args: unknown): InputCheck;
  /** Validates a handler result against the declared output type. */
  checkOutput(result: unknown): InputCheck;
  readonly preview: (input: unknown, ctx: ToolContext) => Promise<ToolPreview>;
  readonly handler: (input: unknown, ctx: ToolContext) => Promise<unknown>;
}

/** MCP tool names: `^[a-zA-Z0-9_-]{1,64}$` — several clients reject dots, so the dotted form is only the audit action. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Audit actions of tools: `<surface>.<verb_object>`. Audit rows written before titles became human words carry the
 * same strings, so one filter on `action` matches old and new rows alike.
 */
export const TOOL_ACTION = /^[a-z]+\.[a-z0-9_]{1,64}$/;

/** Arguments the framework adds to every destructive tool (MCP-level, not the tool's own). */
export const CONFIRMATION_ARGUMENTS = ["confirmed", "confirmation_token"] as const;

const confirmationInputProperties: Record<string, JsonSchema> = {
  confirmed: {
    type: "boolean",
    description:
      "Set to true only when re-invoking this tool, with exactly the same arguments, after the user " +
      "approved the proposal returned with status confirmation_required.",
  },
  confirmation_token: {
    type: "string",
    description:
      "The confirmation_token from the confirmation_required result being approved. Pass it back with " +
      "confirmed: true when your client can; it binds the approval to this exact call.",
  },
};

/** structuredContent of a destructive call that has not been confirmed yet (docs/mcp-client-compat.md 5.3). */
export interface ConfirmationEnvelope {
  status: "confirmation_required";
  summary: string;
  proposal: unknown;
  confirmation_token: string;
  /** ISO 8601 */
  expires_at: string;
}

export const confirmationEnvelopeSchema: JsonSchema = {
  type: "object",
  description:
    "Nothing was done yet: the user must approve this proposal, then the tool is re-invoked with confirmed: true.",
  properties: {
    status: {
      type: "string",
      enum: ["confirmation_required"],
      description: "Always confirmation_required for this shape.",
    },
    summary: { type: "string", description: "Human-readable description of exactly what will happen when confirmed." },
    proposal: { description: "The structured proposal that will be carried out." },
    confirmation_token: {
      type: "string",
      description: "Single-use token to pass back as confirmation_token with confirmed: true.",
    },
    expires_at: {
      type: "string",
      format: "date-time",
      description: "When this confirmation expires; after it, call again without confirmed.",
    },
  },
  required: ["status", "summary", "proposal", "confirmation_token", "expires_at"],
};

export class ToolDefinitionError extends Error {
  constructor(tool: string, problem: string) {
    super(`tool ${tool}: ${problem}`);
    this.name = "ToolDefinitionError";
  }
}

/**
 * The one way to declare an MCP tool. Fails at definition time (when the surface's manifest loads, on its first
 * request; test/unit/mcp/manifests.test.ts loads them all) when the declaration breaks a rule the hosts rely on: name
 * pattern, all four annotations; described parameters and object-shaped schemas on the tool's first list or call.
 */
export function defineTool<In extends Type, Out extends Type>(def: {
  /** ^[a-zA-Z0-9_-]{1,64}$, e.g. "cavalier_create_quote" */
  name: string;
  /** Human words a client shows people, e.g. "Create quote" (MCP 2025-06-18 "Tools": title is for display). */
  title: string;
  /**
   * The dotted audit action, e.g. "cavalier.create_quote": what the audit row's `action` says. Kept apart from the
   * title so that rewording a title never splits one tool's audit rows in two.
   */
  action: string;
  /** Starts with WHEN to use the tool. */
  description: string;
  /** arktype object type; EVERY property has .describe("..."); enums are closed literal unions. */
  input: In;
  /** arktype type of structuredContent on success. */
  output: Out;
  /** Required OAuth scope, e.g. "cavalier:write". */
  scope: string;
  annotations: ToolAnnotations;
  /** Destructive tools: computes what WOULD happen, no writes. */
  preview?: (input: In["infer"], ctx: ToolContext) => Promise<ToolPreview>;
  handler: (input: In["infer"], ctx: ToolContext) => Promise<Out["infer"]>;
}): ToolDefinition {
  const name = def.name;
  if (!TOOL_NAME.test(name)) throw new ToolDefinitionError(name, "name must match ^[a-zA-Z0-9_-]{1,64}$");
  if (!def.title.trim()) throw new ToolDefinitionError(name, "title is required");
  if (!def.description.trim()) throw new ToolDefinitionError(name, "description is required");
  if (!/^[a-z]+:[a-z]+$/.test(def.scope))
    throw new ToolDefinitionError(name, `scope "${def.scope}" is not a surface scope`);
  const action = def.action;
  if (!TOOL_ACTION.test(action))
    throw new ToolDefinitionError(name, `action "${action}" must look like surface.verb_object`);
  for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
    if (typeof def.annotations?.[hint] !== "boolean")
      throw new ToolDefinitionError(name, `annotations.${hint} must be set explicitly`);
  }
  const destructive = def.annotations.destructiveHint;
  if (destructive && def.annotations.readOnlyHint)
    throw new ToolDefinitionError(name, "a destructive tool cannot be readOnly");

  // The arktype transform and the JSON Schema conversion cost milliseconds a tool, most of the start time of the
  // catalog: they run once, on the tool's first tools/list or call, not on the path to listening. The rules that
  // need the schema fail there, and in test/unit/mcp/manifests.test.ts, which compiles every product tool.
  let compiled: CompiledSchemas | undefined;
  const schemas = () => (compiled ??= compileSchemas(name, def.input, def.output, destructive));

  const title = def.title;
  const preview =
    (def.preview as ToolDefinition["preview"] | undefined) ??
    (async (args: unknown) => ({ summary: `Run ${title} with ${JSON.stringify(args)}`, proposal: args }));

  return Object.freeze({
    name,
    title,
    action,
    description: def.description,
    scope: def.scope,
    annotations: Object.freeze({ ...def.annotations }),
    destructive,
    writes: !def.annotations.readOnlyHint,
    get inputSchema() {
      return schemas().inputSchema;
    },
    get outputSchema() {
      return schemas().outputSchema;
    },
    checkInput: (args: unknown): InputCheck => {
      const { input, ownInputSchema } = schemas();
      const out = input(args);
      if (out instanceof type.errors) return { ok: false, message: describeInputErrors(out, ownInputSchema, args) };
      return { ok: true, value: out };
    },
    checkOutput: (result: unknown) => check(schemas().output, result),
    preview,
    handler: def.handler as ToolDefinition["handler"],
  });
}

interface CompiledSchemas {
  input: Type<object>;
  output: Type<object>;
  ownInputSchema: JsonSchema;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

/** A tool's validators and client JSON Schemas, with the rules that need them. Throws ToolDefinitionError. */
function compileSchemas(name: string, rawInput: Type, rawOutput: Type, destructive: boolean): CompiledSchemas {
  // Undeclared arguments are refused (additionalProperties: false), so the schema the client sees is exactly
  // what the server accepts, and a misspelt parameter is reported instead of silently ignored.
  const input = (rawInput as unknown as Type<object>).onDeepUndeclaredKey("reject");
  const output = rawOutput as unknown as Type<object>;
  const ownInputSchema = toClientJsonSchema(input);
  if (ownInputSchema.type !== "object") throw new ToolDefinitionError(name, "input must be an object type");
  const missing = undescribedProperties(ownInputSchema);
  if (missing.length > 0)
    throw new ToolDefinitionError(name, `every parameter needs .describe(): ${missing.join(", ")}`);
  for (const reserved of CONFIRMATION_ARGUMENTS) {
    if ((ownInputSchema.properties as Record<string, unknown> | undefined)?.[reserved]) {
      throw new ToolDefinitionError(name, `"${reserved}" is reserved for the confirmation round-trip`);
    }
  }
  const inputSchema: JsonSchema = destructive
    ? { ...ownInputSchema, properties: { ...(ownInputSchema.properties as object), ...confirmationInputProperties } }
    : ownInputSchema;

  const resultSchema = toClientJsonSchema(output);
  // MCP requires an object-typed outputSchema at the root; SDK clients validate structuredContent against it.
  const objectResult: JsonSchema =
    resultSchema.type === "object" ? resultSchema : { type: "object", anyOf: [resultSchema] };
  const outputSchema: JsonSchema = destructive
    ? { type: "object", anyOf: [confirmationEnvelopeSchema, resultSchema] }
    : objectResult;

  return { input, output, ownInputSchema, inputSchema, outputSchema };
}

function check(t: Type<object>, value: unknown): InputCheck {
  const out = t(value);
  if (out instanceof type.errors) return { ok: false, message: out.summary };
  return { ok: true, value: out };
}
