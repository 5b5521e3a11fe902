import { type } from "arktype";
import { countWithinBudget } from "../../kit/page";
import { SearchResultOut, searchHitWire, searchResultWire } from "../wire";
import { searchKnowledge } from "../search";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { Identifier } from "../../../shared/string-types";

export const searchKnowledgeTool = surfaceTool({
  name: "forge_search_knowledge",
  title: "Search knowledge base",
  action: "forge.search_knowledge",
  description:
    "Use this when a technician asks how to do something, what the procedure or policy is, or who to " +
    "call: full-text search (SQLite FTS5, bm25 ranking with stemming) over knowledge-base articles " +
    "and runbooks, the customer's own documents plus the MSP-wide ones. Returns ranked hits with a " +
    "highlighted snippet; open one with forge_get_article or forge_get_runbook.",
  input: type({
    query: type("1 <= string <= 300").describe(
      "What to look for in plain words, e.g. 'block legacy authentication' or 'EHR outage'.",
    ),
    "tenant_id?": Identifier.describe(
      "Search this customer's documents plus MSP-wide ones, ranking the customer's own higher: its id " +
        "or name, case-insensitive (e.g. contosocare). Omit to search everything you may read.",
    ),
    "kinds?": type("('article' | 'runbook')[]").atMostLength(2).describe("Only these document kinds; omit for both."),
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: SearchResultOut,
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) =>
    searchResultWire(
      await searchKnowledge(ctx.db, ctx.scope, {
        query: input.query,
        tenantId: input.tenant_id,
        kinds: input.kinds,
        cursor: input.cursor,
        limit: input.limit,
        fit: (hits) => countWithinBudget(hits.map(searchHitWire)),
      }),
    ),
});
