import { type } from "arktype";
import { defineTool } from "../../../mcp/define-tool";
import { decodeCursor, encodeCursor } from "../../kit/cursor";
import { pageLimit } from "../../kit/page";
import { listTenantPosture } from "../service";
import { CursorArg, LimitArg, READ_ONLY } from "./shared";

export const listTenantsTool = defineTool({
  name: "aegis_list_tenants",
  title: "aegis.list_tenants",
  description:
    "Use this when you need to know which customers you can see security data for, or which customer needs attention first: lists tenants in your scope with their latest score percentage and open Critical/High finding counts, worst first.",
  input: type({
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
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
    next_cursor: "string | null",
  }),
  scope: "aegis:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    // Tenants in scope are few (an MSP's clients), so the ranked list is computed whole and paged by position.
    const all = await listTenantPosture(ctx.db, ctx.scope, ctx.now);
    const [offset] = decodeCursor("aegis.tenants", input.cursor, ["count"]) ?? [0];
    const limit = pageLimit(input.limit);
    const items = all.slice(offset, offset + limit);
    const next = offset + items.length;
    return { items, next_cursor: next < all.length ? encodeCursor("aegis.tenants", [next]) : null };
  },
});
