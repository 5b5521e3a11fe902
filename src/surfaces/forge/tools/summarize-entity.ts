import { type } from "arktype";
import {
  limitWords,
  summariseDeal,
  summariseDocument,
  summariseFinding,
  summariseQuote,
  type Summary,
} from "../compose";
import { loadDeal, loadDocument, loadFinding, loadQuote } from "../entities";
import { AudienceArg, forgeTool, READ_ONLY, SummaryOut } from "./shared";

export const summarizeEntityTool = forgeTool({
  name: "forge_summarize_entity",
  title: "forge.summarize_entity",
  description:
    "Use this when someone needs the gist of a finding, quote, deal, article or runbook for a specific reader: a technician gets ids, status details and concrete next steps; a client executive gets the business risk or cost in plain words. Reads the live record (aegis, cavalier, forge) with your permissions; nothing is written.",
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
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    let summary: Summary;
    let tenantId: string;
    switch (input.entity_type) {
      case "finding": {
        const f = await loadFinding(ctx.db, ctx.scope, input.entity_id, ctx.now);
        summary = summariseFinding(f, input.audience);
        tenantId = f.tenant_id;
        break;
      }
      case "quote": {
        const q = await loadQuote(ctx.db, ctx.scope, input.entity_id, ctx.now);
        summary = summariseQuote(q, input.audience);
        tenantId = q.tenant_id;
        break;
      }
      case "deal": {
        const d = await loadDeal(ctx.db, ctx.scope, input.entity_id, ctx.now);
        summary = summariseDeal(d, input.audience);
        tenantId = d.tenant_id;
        break;
      }
      default: {
        const doc = await loadDocument(ctx.db, ctx.scope, input.entity_id, input.entity_type);
        summary = summariseDocument(doc, input.audience);
        tenantId = doc.tenant_id;
      }
    }
    return {
      ...summary,
      summary: limitWords(summary.summary, input.max_words ?? 120),
      entity_type: input.entity_type,
      entity_id: input.entity_id,
      tenant_id: tenantId,
      audience: input.audience,
    };
  },
});
