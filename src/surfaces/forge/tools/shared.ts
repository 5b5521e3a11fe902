import { type, type Type } from "arktype";
import { defineTool, ToolError, type ToolDefinition, type ToolPreview } from "../../../mcp/define-tool";
import { CavalierError } from "../../cavalier/errors";
import { MAX_LIMIT } from "../../kit/page";

/** Parameters and shapes shared by the forge tools. */

export const CursorArg = type("0 < string <= 512").describe(
  "The next_cursor from the previous page of this same list; omit for the first page.",
);
export const LimitArg = type(`1 <= number.integer <= ${MAX_LIMIT}`).describe(
  `How many items per page: default 25, at most ${MAX_LIMIT}. A page may hold fewer to keep the result small; continue with next_cursor.`,
);
export const AudienceArg = type("'technician' | 'client_executive'").describe(
  "Who will read it: technician (ids, commands, next steps) or client_executive (business risk in plain words, no jargon).",
);
export const IdempotencyKeyArg = type(/^[A-Za-z0-9_.:-]{8,128}$/).describe(
  "A unique key for this save (a fresh UUID). Repeating the call with the same key and content returns the version it created instead of a new one.",
);
export const TagsArg = type("(1 <= string <= 40)[]")
  .atMostLength(20)
  .describe('Search keywords, e.g. ["mfa", "conditional-access"]; up to 20.');
export const VisibilityArg = type("'internal' | 'client'").describe(
  "internal: MSP staff only. client: also readable by the client tenant's own users (and, for MSP-wide documents, by users of every client of the MSP).",
);
export const VersionArg = type("1 <= number.integer <= 100000").describe(
  "Read this earlier version instead of the current one.",
);

export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

export const DocumentOut = type({
  id: "string",
  kind: "'article' | 'runbook'",
  tenant_id: "string",
  title: "string",
  summary: "string",
  body: "string",
  steps: type({ n: "number.integer", text: "string", "requires_role?": "string" }).array().or("null"),
  tags: "string[]",
  visibility: "'internal' | 'client'",
  version: "number.integer",
  updated_by: "string",
  updated_at: "string",
  created_at: "string",
  versions: type({
    version: "number.integer",
    created_at: "string",
    created_by: "string",
    change_note: "string",
  }).array(),
  /** null unless archived (forge_archive_document); only MSP staff ever read an archived document. */
  archived: type({ at: "string", by: "string", reason: "string" }).or("null"),
});

export const SummaryOut = type({
  headline: "string",
  summary: "string",
  key_points: "string[]",
  next_steps: "string[]",
});

async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // forge reads cavalier entities through cavalier's service; its business errors are ours to explain.
    if (err instanceof CavalierError) throw new ToolError(err.message, { code: err.code });
    throw err;
  }
}

type ToolDef<In extends Type, Out extends Type> = Parameters<typeof defineTool<In, Out>>[0];

/** defineTool with cavalier service errors mapped to ToolError (forge composes over other surfaces' data). */
export function forgeTool<In extends Type, Out extends Type>(def: ToolDef<In, Out>): ToolDefinition {
  const preview = def.preview;
  return defineTool<In, Out>({
    ...def,
    handler: (input, ctx) => translated(() => def.handler(input, ctx)),
    preview: preview ? (input, ctx): Promise<ToolPreview> => translated(() => preview(input, ctx)) : undefined,
  });
}
