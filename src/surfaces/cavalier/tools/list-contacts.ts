import { type } from "arktype";
import { pageOut, presentPage } from "../../kit/page-wire";
import { listContacts } from "../contacts";
import { ContactOut, presentContact } from "../wire";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { OptionalTenantArg, QueryArg } from "./shared";

export const listContactsTool = surfaceTool({
  name: "cavalier_list_contacts",
  title: "List contacts",
  action: "cavalier.list_contacts",
  description:
    "Use this when you need a customer's contact (who a quote is for, who accepted it, who to " +
    "address a cover note to). Lists contacts with name, title, email and phone.",
  input: type({ "tenant_id?": OptionalTenantArg, "query?": QueryArg, "cursor?": CursorArg, "limit?": LimitArg }),
  output: pageOut(ContactOut),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await listContacts(ctx.db, ctx.scope, {
      tenant: input.tenant_id,
      query: input.query,
      cursor: input.cursor,
      limit: input.limit,
    });
    return presentPage(page, presentContact);
  },
});
