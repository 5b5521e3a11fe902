import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { listTenantPosture } from "../service";
import { READ_ONLY } from "./shared";

export const listTenantsTool = defineTool({
  name: "aegis_list_tenants",
  title: "aegis.list_tenants",
  description:
    "Use this when you need to know which customers you can see security data for, or which customer needs attention first: lists tenants in your scope with their latest score percentage and open Critical/High finding counts, worst first.",
  input: type({}),
  output: type({
    items: type({
      tenant_id: "string",
      name: "string",
      kind: "string",
      percent: "number | null",
      as_of: "string | null",
      open_critical_high: "number.integer",
      open_total: "number.integer",
    }).array(),
  }),
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (_input, ctx) => ({ items: await listTenantPosture(ctx.db, ctx.scope, ctx.now) }),
});
