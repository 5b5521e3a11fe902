import { type } from "arktype";
import { SummaryOut } from "../wire";
import { limitWords, summariseDeal, summariseDocument, summariseQuote, type Summary } from "../compose";
import { summariseFinding } from "../finding-summary";
import { loadDeal, loadDocument, loadFinding, loadQuote } from "../entities";
import { FactSheet } from "../facts";
import { FactsOut, MissingOut } from "./grounded";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { AudienceArg } from "./shared";

export const summarizeEntityTool = surfaceTool({
  name: "forge_summarize_entity",
  title: "Summarize record",
  action: "forge.summarize_entity",
  description:
    "Use this when someone needs the gist of a finding, quote, deal, article or runbook for a " +
    "specific reader: a technician gets ids, status details and concrete next steps; a client " +
    "executive gets the business risk or cost in plain words. Reads the live record (aegis, " +
    "cavalier, forge) with your permissions; nothing is written. Returns the facts the summary was " +
    "built from (each with its source id) and a missing list for data the record does not hold; " +
    "numbers come from the record itself (a finding's own counts such as 14 of 42 users, a quote's " +
    "own line totals, subtotals, tax and totals).",
  input: type({
    entity_type: type("'finding' | 'quote' | 'deal' | 'article' | 'runbook'").describe(
      "What kind of record to summarise.",
    ),
    entity_id: type("0 < string <= 128").describe(
      "Its id: fnd_… (aegis_list_findings), q_… (cavalier_list_quotes), dl_… (cavalier_list_deals), kb_…/rb_… (forge_search_knowledge).",
    ),
    audience: AudienceArg,
    "max_words?": type("20 <= number.integer <= 400").describe(
      "Cap the summary paragraph at this many words (default 120).",
    ),
  }),
  output: SummaryOut.merge({
    entity_type: "string",
    entity_id: "string",
    tenant_id: "string",
    audience: "'technician' | 'client_executive'",
    facts: FactsOut,
    missing: MissingOut,
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const sheet = new FactSheet();
    let summary: Summary;
    let tenantId: string;
    switch (input.entity_type) {
      case "finding": {
        const f = await loadFinding(ctx.db, ctx.scope, input.entity_id, ctx.now);
        summary = summariseFinding(f, input.audience, sheet);
        tenantId = f.tenant_id;
        break;
      }
      case "quote": {
        const q = await loadQuote(ctx.db, ctx.scope, input.entity_id, ctx.now);
        summary = summariseQuote(q, input.audience, sheet);
        tenantId = q.tenant_id;
        break;
      }
      case "deal": {
        const d = await loadDeal(ctx.db, ctx.scope, input.entity_id, ctx.now);
        summary = summariseDeal(d, input.audience, sheet);
        tenantId = d.tenant_id;
        break;
      }
      default: {
        const doc = await loadDocument(ctx.db, ctx.scope, input.entity_id, input.entity_type);
        summary = summariseDocument(doc, input.audience, sheet);
        tenantId = doc.tenantId;
      }
    }
    return {
      ...summary,
      summary: limitWords(summary.summary, input.max_words ?? 120),
      entity_type: input.entity_type,
      entity_id: input.entity_id,
      tenant_id: tenantId,
      audience: input.audience,
      facts: sheet.facts,
      missing: sheet.missing,
    };
  },
});
