import { type } from "arktype";
import { DocumentOut, documentWire } from "../wire";
import { getDocument } from "../documents";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { VersionArg } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const getArticleTool = surfaceTool({
  name: "forge_get_article",
  title: "forge.get_article",
  description:
    "Use this when you need the full text of a knowledge-base article (policy, how-to, contacts) found with forge_search_knowledge: returns the markdown body, tags, visibility and the version history.",
  input: type({
    article_id: Identifier.describe("The article's id (kb_…), from forge_search_knowledge."),
    "version?": VersionArg,
  }),
  output: DocumentOut,
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) =>
    documentWire(
      await getDocument(ctx.db, ctx.scope, { id: input.article_id, kind: "article", version: input.version }),
    ),
});
