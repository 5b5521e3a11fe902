import { type } from "arktype";
import { pageOut, presentPage } from "../../kit/page-wire";
import { listTenants } from "../catalog";
import { presentTenant, TenantOut } from "../wire";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { QueryArg } from "./shared";

export const listTenantsTool = surfaceTool({
  name: "cavalier_list_tenants",
  title: "List tenants",
  action: "cavalier.list_tenants",
  description:
    "Use this when you need to know which customers (tenants) you may quote or sell to, or to find a " +
    "tenant's id, currency or tax rate. Returns the tenants the signed-in user may act on, by name.",
  input: type({ "query?": QueryArg, "cursor?": CursorArg, "limit?": LimitArg }),
  output: pageOut(TenantOut),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await listTenants(ctx.db, ctx.scope, { query: input.query, cursor: input.cursor, limit: input.limit });
    return presentPage(page, presentTenant);
  },
});
