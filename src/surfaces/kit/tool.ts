import type { Type } from "arktype";
import { defineTool, ToolError, type ToolContext, type ToolDefinition, type ToolPreview } from "../../mcp/define-tool";
import { type Actor, DomainError } from "./domain";

/** The actor a service records for this call: the authenticated principal. */
export function actorOf(ctx: ToolContext): Actor {
  return { userId: ctx.principal.userId, name: ctx.principal.name };
}

/**
 * Runs a service call and turns its coded DomainError into the ToolError the model reads (an `isError` result,
 * MCP 2025-06-18 "Tools > Error Handling", audited as tool_error). Every other error passes through untouched:
 * InvalidInputError, CrossTenantError and NotFoundError are classified by the call path itself.
 */
export async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError) throw new ToolError(err.message, { code: err.code, ...err.detail });
    throw err;
  }
}

type ToolDef<In extends Type, Out extends Type> = Parameters<typeof defineTool<In, Out>>[0];

/** defineTool, with DomainError mapped to ToolError in both the preview and the handler. */
export function surfaceTool<In extends Type, Out extends Type>(def: ToolDef<In, Out>): ToolDefinition {
  const preview = def.preview;
  return defineTool<In, Out>({
    ...def,
    handler: (input, ctx) => translated(() => def.handler(input, ctx)),
    preview: preview ? (input, ctx): Promise<ToolPreview> => translated(() => preview(input, ctx)) : undefined,
  });
}
