import { type } from "arktype";
import { getQuote } from "../quotes";
import { presentQuote, QuoteOut } from "../wire";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { ToolError } from "../../../mcp/define-tool";
import { Identifier, identifier } from "../../../shared/string-types";

export const getQuoteTool = surfaceTool({
  name: "cavalier_get_quote",
  title: "Get quote",
  action: "cavalier.get_quote",
  description:
    "Use this when you need one quote in full: its lines, one-time and recurring totals, tax, status " +
    "(a quote past valid_until reads as expired) and all its versions. Pass quote_id, or the human " +
    "number such as Q-2026-0042.",
  input: type({
    "quote_id?": Identifier.describe("The quote's id (q_…). Give this or quote_number."),
    "quote_number?": identifier(40).describe(
      "The quote's number as people say it, e.g. Q-2026-0042 or Q-2026-0042 v2; without a version, the newest.",
    ),
    "version?": type("1 <= number.integer <= 1000").describe("With quote_number: which version to read."),
  }),
  output: type({ quote: QuoteOut }),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    if (!input.quote_id && !input.quote_number)
      throw new ToolError("Pass quote_id (q_…) or quote_number (e.g. Q-2026-0042).");
    const d = await getQuote(
      ctx.db,
      ctx.scope,
      { quoteId: input.quote_id, quoteNumber: input.quote_number, version: input.version },
      ctx.now,
    );
    return { quote: presentQuote(d) };
  },
});
