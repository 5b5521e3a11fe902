import { type } from "arktype";
import { searchHitWire } from "../wire";
import { countWithinBudget } from "../../kit/page";
import { classifyRequest } from "../classify";
import { RELATED_MIN_RELEVANCE, relatedDocuments } from "../related";
import { INCIDENT_TYPES } from "../triage-incidents";
import { REQUEST_CATEGORIES } from "../triage-rules";
import { searchKnowledge } from "../search";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";

export const classifyRequestTool = surfaceTool({
  name: "forge_classify_request",
  title: "Classify request",
  action: "forge.classify_request",
  description:
    `Use this when a request arrives as free text (email, chat, phone note) and needs triage: ` +
    `returns a category, a P1-P4 priority from the ITIL impact x urgency matrix, the tools to use ` +
    `next, related runbooks/articles, and which words drove the decision. Security incidents ` +
    `(payment-change or gift-card fraud, executive impersonation, credential phishing, suspicious ` +
    `sign-ins and MFA fatigue, ransomware, lost or stolen devices, data sent to the wrong person) ` +
    `are category security_incident with an incident_type, always P1 or P2, and suggest aegis tools. ` +
    `related_documents holds only documents whose title or tags carry at least ` +
    `${RELATED_MIN_RELEVANCE * 100}% of the request's knowledge_topics (relevance ` +
    `${RELATED_MIN_RELEVANCE} or more), so it is often empty. Deterministic keyword rules, no ` +
    `outside model.`,
  input: type({
    text: type("1 <= string <= 4000").describe("The request as the customer wrote it."),
    "tenant_id?": type("0 < string <= 128").describe(
      "The customer it came from (e.g. fabrikam-law), so related documents include theirs.",
    ),
  }),
  output: type({
    category: type.enumerated(...REQUEST_CATEGORIES),
    category_label: "string",
    incident_type: type.enumerated(...INCIDENT_TYPES).or("null"),
    priority: "'P1' | 'P2' | 'P3' | 'P4'",
    impact: "'high' | 'medium' | 'low'",
    urgency: "'high' | 'medium' | 'low'",
    suggested_tool: "string",
    suggested_tools: "string[]",
    suggested_next_step: "string",
    knowledge_topics: "string[]",
    confidence: "number",
    matched_signals: "string[]",
    alternatives: type({ category: "string", score: "number" }).array(),
    explanation: "string",
    related_documents: type({ id: "string", kind: "string", title: "string", relevance: "number" }).array(),
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const c = classifyRequest(input.text);
    // The search proposes candidates by topic; relatedDocuments keeps only those that are about the topic. It
    // runs even without topics when a tenant is named, so a tenant the caller may not see is refused either way.
    const candidates =
      c.knowledge_topics.length > 0 || input.tenant_id !== undefined
        ? await searchKnowledge(ctx.db, ctx.scope, {
            query: c.knowledge_topics.join(" ") || "general",
            tenantId: input.tenant_id,
            limit: 20,
            fit: (hits) => countWithinBudget(hits.map(searchHitWire)),
          })
        : { items: [] };
    const related = relatedDocuments(candidates.items, c.knowledge_topics).map((d) => ({
      id: d.id,
      kind: d.kind,
      title: d.title,
      relevance: d.relevance,
    }));
    return { ...c, related_documents: related };
  },
});
