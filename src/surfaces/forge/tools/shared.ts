import { type, type Type } from "arktype";
import type { ToolContext, ToolDefinition } from "../../../mcp/define-tool";
import { IdempotencyKeyArg } from "../../kit/args";
import { actorOf, surfaceTool } from "../../kit/tool";
import { type DocumentKind, getDocument } from "../documents";
import { type SaveDocumentInput, saveDocument } from "../save-document";
import { documentWire, SaveResultOut, saveResultWire } from "../wire";

/** Parameters shared by the forge tools (the output shapes are in ../wire.ts). */

export const AudienceArg = type("'technician' | 'client_executive'").describe(
  "Who will read it: technician (ids, commands, next steps) or client_executive (business risk in plain words, no jargon).",
);
export const SaveKeyArg = IdempotencyKeyArg.describe(
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

/** Tool annotations of a save: writes, but never destroys (old versions stay readable), and repeats by key. */
const SAVE_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** The save arguments articles and runbooks share. */
export const SaveArgs = {
  "tags?": TagsArg,
  visibility: VisibilityArg,
  change_note: type("3 <= string <= 500").describe("What changed and why (shown in the version history)."),
  idempotency_key: SaveKeyArg,
} as const;

/** What every save tool's input holds besides its kind's own fields (each tool describes the first two its way). */
interface SaveArgValues {
  tenant_id?: string;
  title: string;
  tags?: string[];
  visibility: "internal" | "client";
  change_note: string;
  idempotency_key: string;
}

/** The fields of one document kind, in the service's words. */
type DocumentFields = Pick<SaveDocumentInput, "kind" | "documentId" | "summary" | "body" | "steps">;

type SaveToolDef<In extends Type<SaveArgValues>> = Pick<
  Parameters<typeof surfaceTool<In, typeof SaveResultOut>>[0],
  "name" | "title" | "action" | "description" | "input"
> & {
  /** The kind's own fields from the tool's input. */
  document: (input: In["infer"]) => DocumentFields;
};

/**
 * A save tool for one document kind (forge_save_article, forge_save_runbook): saves through the service and
 * presents the result. The tenant names only a NEW document's owner, so it is dropped when saving a new version.
 */
export function saveDocumentTool<In extends Type<SaveArgValues>>(def: SaveToolDef<In>): ToolDefinition {
  const { document, ...tool } = def;
  return surfaceTool({
    ...tool,
    output: SaveResultOut,
    scope: "forge:write",
    annotations: SAVE_ANNOTATIONS,
    handler: async (args, ctx) => {
      const doc = document(args);
      const input: SaveDocumentInput = {
        ...doc,
        tenantId: doc.documentId ? undefined : args.tenant_id,
        title: args.title,
        tags: args.tags ?? [],
        visibility: args.visibility,
        changeNote: args.change_note,
        idempotencyKey: args.idempotency_key,
      };
      return saveResultWire(await saveDocument(ctx.db, ctx.scope, actorOf(ctx), input, ctx.now));
    },
  });
}

/** Reads one document for a get tool and presents it. */
export async function readDocument(ctx: ToolContext, kind: DocumentKind, id: string, version: number | undefined) {
  return documentWire(await getDocument(ctx.db, ctx.scope, { id, kind, version }));
}
