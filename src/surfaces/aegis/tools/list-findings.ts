import { type } from "arktype";
import { Identifier, identifier } from "../../../shared/string-types";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { countWithinBudget } from "../../kit/page";
import { surfaceTool } from "../../kit/tool";
import { listFindings } from "../findings";
import {
  ClassName,
  FindingPageOut,
  presentFindingPage,
  presentFindingSummary,
  SeverityName,
  StatusName,
} from "../wire";
import { FrameworkArg } from "./args";

export const listFindingsTool = surfaceTool({
  name: "aegis_list_findings",
  title: "List findings",
  action: "aegis.list_findings",
  description:
    "Use this when the user asks what security issues a customer (or all customers) has: lists findings " +
    "worst-first with OCSF severity and status, filterable by severity, status, class (compliance / " +
    "vulnerability / detection) and framework control, with cursor pagination. Use aegis_get_finding for " +
    "resources, remediation and history.",
  input: type({
    "tenant_id?": Identifier.describe(
      "Only this tenant's findings: its id or name, case-insensitive (e.g. contosocare); omit for every tenant you may act on.",
    ),
    "severity?": SeverityName.array()
      .atMostLength(6)
      .describe('Only these OCSF severities, e.g. ["High", "Critical"].'),
    "min_severity?": SeverityName.describe(
      "Only findings at least this severe (OCSF order Informational < Low < Medium < High < Critical < Fatal).",
    ),
    "status?": StatusName.array()
      .atMostLength(4)
      .describe(
        'Only these OCSF statuses; e.g. ["New", "In Progress"] for open findings. A suppression past its expiry counts as New.',
      ),
    "class?": ClassName.array()
      .atMostLength(3)
      .describe(
        "Only these finding classes: compliance (failed benchmark checks), vulnerability (missing patches, exposures), detection (threat alerts).",
      ),
    "framework?": FrameworkArg,
    "control_ref?": identifier(64).describe(
      "Only findings mapped to this control reference within the framework, e.g. 2.1.10 or 7.3.",
    ),
    "query?": type("0 < string <= 200").describe(
      "Only findings whose title or description contains this text (case-insensitive).",
    ),
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: FindingPageOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await listFindings(
      ctx.db,
      ctx.scope,
      {
        tenantId: input.tenant_id,
        severities: input.severity,
        minSeverity: input.min_severity,
        statuses: input.status,
        classes: input.class,
        framework: input.framework,
        controlRef: input.control_ref,
        query: input.query,
      },
      // The page budget is measured on what the caller receives: the wire shape.
      { cursor: input.cursor, limit: input.limit, fit: (items) => countWithinBudget(items.map(presentFindingSummary)) },
      ctx.now,
    );
    return presentFindingPage(page);
  },
});
