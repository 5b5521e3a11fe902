import { type } from "arktype";
import { DocumentOut } from "../wire";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { readDocument, VersionArg } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const getArticleTool = surfaceTool({
  name: "forge_get_article",
  title: "Get article",
  action: "forge.get_article",
  description:
    "Use this when you need the full text of a knowledge-base article (policy, how-to, contacts) " +
    "found with forge_search_knowledge: returns the markdown body, tags, visibility and the version " +
    "history.",
  input: type({
    article_id: Identifier.describe("The article's id (kb_…), from forge_search_knowledge."),
    "version?": VersionArg,
  }),
  output: DocumentOut,
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => await readDocument(ctx, "article", input.article_id, input.version),
});
