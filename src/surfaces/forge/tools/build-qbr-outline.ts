import { type } from "arktype";
import { parsePeriod } from "../../kit/args";
import { buildQbrOutline } from "../qbr";
import { loadQbrFacts } from "../entities";
import { FactSheet } from "../facts";
import { FactsOut, MissingOut } from "./grounded";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";

export const buildQbrOutlineTool = surfaceTool({
  name: "forge_build_qbr_outline",
  title: "Build QBR outline",
  action: "forge.build_qbr_outline",
  description:
    "Use this when preparing a quarterly business review (QBR) for a customer: builds an agenda from " +
    "the data this appliance holds (security score trend, findings opened and resolved with the " +
    "median days to fix, the top improvement actions, open deals/proposals) with talking points, the " +
    "facts used (with source ids) and a missing list for what it does not hold (ticket volumes and " +
    "response times live in the PSA; satisfaction surveys; staff changes). Sections without data are " +
    "left out rather than filled with placeholder text. Defaults to the last 90 days.",
  input: type({
    tenant_id: type("0 < string <= 128").describe("The customer, e.g. tailspin-logistics."),
    "period_start?": type("0 < string <= 40").describe(
      "Start of the review period, ISO 8601 date (default: 90 days before period_end).",
    ),
    "period_end?": type("0 < string <= 40").describe("End of the review period, ISO 8601 date (default: now)."),
  }),
  output: type({
    tenant_id: "string",
    tenant_name: "string",
    period_start: "string",
    period_end: "string",
    title: "string",
    sections: type({ heading: "string", bullets: "string[]" }).array(),
    talking_points: "string[]",
    metrics: type({
      start_percent: "number | null",
      end_percent: "number | null",
      findings_opened: "number.integer",
      findings_resolved: "number.integer",
      open_findings: "number.integer",
      open_deals: "number.integer",
    }),
    facts: FactsOut,
    missing: MissingOut,
  }),
  scope: "forge:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const { from, to } = parsePeriod(input.period_start, input.period_end, ["period_start", "period_end"], ctx.now);
    const facts = await loadQbrFacts(ctx.db, ctx.scope, input.tenant_id, from, to, ctx.now);
    const sheet = new FactSheet();
    const outline = buildQbrOutline(facts, sheet);
    return {
      tenant_id: facts.tenant_id,
      tenant_name: facts.tenant_name,
      period_start: new Date(from).toISOString(),
      period_end: new Date(to).toISOString(),
      ...outline,
      metrics: {
        start_percent: facts.trend?.start_percent ?? null,
        end_percent: facts.trend?.end_percent ?? null,
        findings_opened: facts.findings_opened,
        findings_resolved: facts.findings_resolved,
        open_findings: facts.posture?.open_findings_total ?? 0,
        open_deals: facts.open_deals.length,
      },
      facts: sheet.facts,
      missing: sheet.missing,
    };
  },
});
