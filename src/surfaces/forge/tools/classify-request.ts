import { type } from "arktype";
import { classifyRequest, REQUEST_CATEGORIES } from "../classify";
import { searchKnowledge } from "../service";
import { forgeTool, READ_ONLY } from "./shared";

export const classifyRequestTool = forgeTool({
  name: "forge_classify_request",
  title: "forge.classify_request",
  description:
    "Use this when a request arrives as free text (email, chat, phone note) and needs triage: returns a category, a P1-P4 priority from the ITIL impact x urgency matrix, the tool to use next, related runbooks/articles, and an explanation of which words drove the decision. Deterministic keyword rules, no outside model.",
  input: type({
    text: type("1 <= string <= 4000").describe("The request as the customer wrote it."),
    "tenant_id?": type("0 < string <= 128").describe(
      "The customer it came from (e.g. fabrikam-law), so related documents include theirs.",
    ),
  }),
  output: type({
    category: type.enumerated(...REQUEST_CATEGORIES),
    category_label: "string",
    priority: "'P1' | 'P2' | 'P3' | 'P4'",
    impact: "'high' | 'medium' | 'low'",
    urgency: "'high' | 'medium' | 'low'",
    suggested_tool: "string",
    suggested_next_step: "string",
    knowledge_query: "string",
    confidence: "number",
    matched_signals: "string[]",
    alternatives: type({ category: "string", score: "number" }).array(),
    explanation: "string",
    related_documents: type({ id: "string", kind: "string", title: "string" }).array(),
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const c = classifyRequest(input.text);
    const related = await searchKnowledge(ctx.db, ctx.scope, {
      query: `${c.knowledge_query} ${input.text}`.slice(0, 300),
      tenantId: input.tenant_id,
      limit: 3,
    }).catch((err: unknown) => {
      if (input.tenant_id) throw err;
      return { items: [] };
    });
    return { ...c, related_documents: related.items.map((d) => ({ id: d.id, kind: d.kind, title: d.title })) };
  },
});
