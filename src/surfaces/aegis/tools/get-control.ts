import { type } from "arktype";
import { Identifier, identifier } from "../../../shared/string-types";
import { READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { getControl } from "../controls";
import { ControlDetailOut, presentControlDetail } from "../wire";
import { FrameworkArg } from "./args";

export const getControlTool = surfaceTool({
  name: "aegis_get_control",
  title: "Get control",
  action: "aegis.get_control",
  description:
    "Use this when the user asks what a framework control means or requires (e.g. 'what is CIS 1.1.3?'): " +
    "returns its description, rationale, remediation and up to 50 findings mapped to it, worst first (for one " +
    "tenant with tenant_id, else every tenant you may act on). Identify it by control_id, or by framework plus " +
    "control_ref.",
  input: type({
    "control_id?": Identifier.describe("The control's id (ctl_…), from aegis_list_controls."),
    "framework?": FrameworkArg,
    "control_ref?": identifier(64).describe(
      "The control's reference within the framework, e.g. 1.1.3 or AdminMFAV2; use together with framework.",
    ),
    "tenant_id?": Identifier.describe(
      "Show this tenant's standing and findings only: its id or name, case-insensitive (e.g. contosocare).",
    ),
  }),
  output: ControlDetailOut,
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const control = await getControl(
      ctx.db,
      ctx.scope,
      {
        controlId: input.control_id,
        framework: input.framework,
        controlRef: input.control_ref,
        tenantId: input.tenant_id,
      },
      ctx.now,
    );
    return presentControlDetail(control);
  },
});
