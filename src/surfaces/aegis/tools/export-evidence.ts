import { type } from "arktype";
import { IsoTimeArg, parsePeriod, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { EVIDENCE_MAX_CHARS, exportEvidence } from "../evidence";
import { EvidencePackOut, presentEvidencePack } from "../wire";
import { FrameworkArg, TenantIdArg } from "./args";

export const exportEvidenceTool = surfaceTool({
  name: "aegis_export_evidence",
  title: "Export evidence pack",
  action: "aegis.export_evidence",
  description:
    "Use this when an auditor, insurer or the client asks for proof of security work: builds an evidence pack " +
    "of the tenant's findings first seen by the end of the period and not resolved before its start, as CSV " +
    "or OCSF 1.x JSON lines (one Finding event per line), returned inline with its SHA-256 so the copy can be " +
    "verified. " +
    `Content is capped at ${EVIDENCE_MAX_CHARS} characters (truncated says so). Nothing is stored.`,
  input: type({
    "tenant_id?": TenantIdArg,
    format: type("'csv' | 'ocsf_jsonl'").describe(
      "csv (RFC 4180, one row per finding) or ocsf_jsonl (OCSF Finding events, one JSON object per line).",
    ),
    "framework?": FrameworkArg,
    "period_start?": IsoTimeArg("Start of the audit period (default: 90 days before period_end)"),
    "period_end?": IsoTimeArg("End of the audit period (default: now)"),
  }),
  output: EvidencePackOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const { from, to } = parsePeriod(input.period_start, input.period_end, ["period_start", "period_end"], ctx.now);
    const pack = await exportEvidence(
      ctx.db,
      ctx.scope,
      { tenantId: input.tenant_id, framework: input.framework, from, to, format: input.format },
      ctx.now,
    );
    return presentEvidencePack(pack);
  },
});
