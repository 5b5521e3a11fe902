import { type } from "arktype";
import { pageOut, presentPage } from "../../kit/page-wire";
import { PRODUCT_CLASSES } from "../../../store/schema/cavalier";
import { searchProducts } from "../catalog";
import { ProductOut, presentProduct } from "../wire";
import { CursorArg, LimitArg, READ_ONLY } from "../../kit/args";
import { surfaceTool } from "../../kit/tool";
import { OptionalTenantArg, QueryArg } from "./shared";

export const searchProductsTool = surfaceTool({
  name: "cavalier_search_products",
  title: "Search products",
  action: "cavalier.search_products",
  description:
    "Use this when you need a product's SKU, unit or price before pricing or drafting a quote, or " +
    "when the user asks what the MSP sells. Searches the catalog (one-time vs recurring, unit, price " +
    "per currency).",
  input: type({
    "query?": QueryArg,
    "billing_type?": type("'one_time' | 'recurring'").describe(
      "Only one-time products (hardware, onboarding, labour) or only recurring ones (seats, per-device services).",
    ),
    "product_class?": type.enumerated(...PRODUCT_CLASSES).describe("Only this kind of product."),
    "tenant_id?": OptionalTenantArg.describe(
      "Show the catalog this customer buys from (its MSP's), by tenant id or name. Omit for every catalog you may read.",
    ),
    "include_inactive?": type("boolean").describe("Also list retired products (not quotable). Default false."),
    "cursor?": CursorArg,
    "limit?": LimitArg,
  }),
  output: pageOut(ProductOut),
  scope: "cavalier:read",
  annotations: READ_ONLY,
  handler: async (input, ctx) => {
    const page = await searchProducts(ctx.db, ctx.scope, {
      query: input.query,
      billingType: input.billing_type,
      productClass: input.product_class,
      includeInactive: input.include_inactive,
      tenant: input.tenant_id,
      cursor: input.cursor,
      limit: input.limit,
    });
    return presentPage(page, presentProduct);
  },
});
