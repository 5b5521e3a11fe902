import { type } from "arktype";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { decodeCursor, encodeCursor } from "../../kit/cursor";
import { pageLimit } from "../../kit/page";
import { pageOut, presentPage } from "../../kit/page-wire";
import { surfaceTool } from "../../kit/tool";
import { listTenantPosture } from "../posture";
import { presentTenantPosture, TenantPostureOut } from "../wire";

export const listTenantsTool = surfaceTool({
  name: "aegis_list_tenants",
  title: "List tenants by posture",
  action: "aegis.list_tenants",
  description:
    "Use this when you need to know which customers you can see security data for, or which customer " +
    "needs attention first: lists tenants in your scope with their latest score percentage and open " +
    "Critical/High finding counts, worst first.",
  input: type({
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: pageOut(TenantPostureOut),
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    // Tenants in scope are few (an MSP's clients), so the ranked list is computed whole and paged by position.
    const all = await listTenantPosture(ctx.db, ctx.scope, ctx.now);
    const [offset] = decodeCursor("aegis.tenants", input.cursor, ["count"]) ?? [0];
    const limit = pageLimit(input.limit);
    const items = all.slice(offset, offset + limit);
    const next = offset + items.length;
    const nextCursor = next < all.length ? encodeCursor("aegis.tenants", [next]) : null;
    return presentPage({ items, nextCursor }, presentTenantPosture);
  },
});
