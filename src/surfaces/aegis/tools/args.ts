import { type } from "arktype";
import { Identifier } from "../../../shared/string-types";
import { TenantArg } from "../../kit/args";

/** Parameters only the aegis tools take (the common ones are in kit/args.ts), described once. */

export const TenantIdArg = TenantArg.describe(
  "The tenant (customer): its id or its name, case-insensitive, e.g. contosocare or ContosoCare " +
    "Clinic. Optional when you can act on exactly one customer tenant; otherwise the error lists the ids " +
    "you may use.",
);
export const FindingIdArg = Identifier.describe("The finding's id (fnd_…), from aegis_list_findings.");
export const FrameworkArg = type("'cis_m365_v5' | 'cis_v8' | 'ms_secure_score' | 'cis_win2022'").describe(
  "Control framework: cis_m365_v5 (CIS Microsoft 365 Foundations v5), cis_v8 (CIS Controls v8.1), " +
    "ms_secure_score (Microsoft Secure Score), cis_win2022 (CIS Windows Server 2022).",
);

/** Writes that only add work or make risk visible: not read-only, not destructive (MCP 2025-06-18 annotations). */
export const ADDITIVE_WRITE = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
} as const;
