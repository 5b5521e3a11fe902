import { type } from "arktype";
import { SaveArgs, saveDocumentTool } from "./shared";
import { Identifier } from "../../../shared/string-types";

export const saveArticleTool = saveDocumentTool({
  name: "forge_save_article",
  title: "Save article",
  action: "forge.save_article",
  description:
    "Use this when a technician wants to record knowledge (a fix that worked, a policy, contacts) or " +
    "update an article: creates a new article, or with article_id saves a new version (earlier " +
    "versions stay readable). Needs an idempotency_key; repeating it returns the same version. " +
    "Saving a new version of an archived article un-archives it.",
  input: type({
    "article_id?": Identifier.describe("Save a new version of this article (kb_…); omit to create a new article."),
    "tenant_id?": Identifier.describe(
      "Owner of a NEW article: a customer id or name, case-insensitive (e.g. contosocare), or your MSP's id for an MSP-wide article. Ignored for new versions.",
    ),
    title: type("3 <= string <= 200").describe("The article title."),
    summary: type("3 <= string <= 500").describe("One sentence saying what the article answers."),
    body: type("1 <= string <= 30000").describe("The article text in markdown, up to 30,000 characters."),
    ...SaveArgs,
  }),
  document: (input) => ({ kind: "article", documentId: input.article_id, summary: input.summary, body: input.body }),
});
