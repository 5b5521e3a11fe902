import { type } from "arktype";
import { Identifier } from "../../../shared/string-types";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { listControls } from "../controls";
import { ControlPageOut, presentControlPage } from "../wire";
import { FrameworkArg } from "./args";

export const listControlsTool = surfaceTool({
  name: "aegis_list_controls",
  title: "List controls",
  action: "aegis.list_controls",
  description:
    "Use this when the user asks which CIS / Secure Score controls apply, or where a customer stands " +
    "against a framework: lists framework controls (CIS M365 v5, CIS Controls v8.1, Secure Score, CIS " +
    "Windows Server 2022) and, with tenant_id, that tenant's standing on each (pass, fail, " +
    "risk_accepted, not_assessed).",
  input: type({
    "tenant_id?": Identifier.describe(
      "Add this tenant's standing on each control: its id or name, case-insensitive (e.g. fabrikam-law); required when filtering by status.",
    ),
    "framework?": FrameworkArg,
    "category?": type("'Identity' | 'Device' | 'Data' | 'Apps' | 'Infrastructure'").describe(
      "Only controls in this Secure Score category.",
    ),
    "profile?": type("'L1' | 'L2' | 'IG1' | 'IG2' | 'IG3'").describe(
      "Only this CIS profile (L1/L2 for benchmarks) or implementation group (IG1-IG3 for CIS Controls).",
    ),
    "status?": type("'pass' | 'fail' | 'risk_accepted' | 'not_assessed'").describe(
      "Only controls where the tenant has this standing (needs tenant_id).",
    ),
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: ControlPageOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await listControls(
      ctx.db,
      ctx.scope,
      {
        tenantId: input.tenant_id,
        framework: input.framework,
        category: input.category,
        profile: input.profile,
        status: input.status,
      },
      { cursor: input.cursor, limit: input.limit },
      ctx.now,
    );
    return presentControlPage(page);
  },
});
