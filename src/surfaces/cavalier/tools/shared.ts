import { type, type Type } from "arktype";
import {
  defineTool,
  ToolError,
  type ToolContext,
  type ToolDefinition,
  type ToolPreview,
} from "../../../mcp/define-tool";
import { CavalierError } from "../errors";
import { MAX_LIMIT } from "../../kit/page";
import { MAX_VALID_DAYS, PRICING_LIMITS } from "../pricing";
import type { QuoteLineInput } from "../catalog";
import type { Actor } from "../model";
import { Identifier, identifier } from "../../../shared/string-types";

/** Parameters shared by several cavalier tools, described once so every tool says the same thing. */
export const TenantArg = Identifier.describe(
  "The customer tenant: its id (e.g. contosocare) or its name as the user typed it (e.g. ContosoCare); case-insensitive. See cavalier_list_tenants.",
);
export const OptionalTenantArg = Identifier.describe(
  "Only this customer tenant: its id or name (case-insensitive). Omit to include every tenant you may act on.",
);
export const CursorArg = type("0 < string <= 512").describe(
  "The next_cursor from the previous page of this same list; omit for the first page.",
);
export const LimitArg = type(`1 <= number.integer <= ${MAX_LIMIT}`).describe(
  `How many items per page: default 25, at most ${MAX_LIMIT}.`,
);
export const QueryArg = type("0 < string <= 200").describe(
  "Words to search for (all must match, case-insensitive); omit to list everything.",
);
export const IdempotencyKeyArg = type(/^[A-Za-z0-9_.:-]{8,128}$/).describe(
  "A unique key for this request (a fresh UUID). Repeating the call with the same key and arguments returns the first result instead of creating a second one.",
);
export const QuoteIdArg = Identifier.describe(
  "The quote's id (q_…), as returned by cavalier_list_quotes or cavalier_get_quote.",
);
export const ValidDaysArg = type(`1 <= number.integer <= ${MAX_VALID_DAYS}`).describe(
  `How many days the quote stays valid from now (default 30, at most ${MAX_VALID_DAYS}); after that it reads as expired.`,
);

export const LineArg = type({
  product: identifier(200).describe(
    "The catalog product: its SKU (e.g. OPS-PRO-SEAT), its name (e.g. Operations Pro) or its id.",
  ),
  quantity: type(`1 <= number.integer <= ${PRICING_LIMITS.maxQuantity}`).describe(
    "How many units (seats, users, devices, hours…): a whole number.",
  ),
  "unit_price_minor?": type(`0 <= number.integer <= ${PRICING_LIMITS.maxUnitPriceMinor}`).describe(
    "Overrides the catalog unit price, in minor units of the tenant's currency (cents, pence: 6500 = $65.00). Omit to use the catalog price.",
  ),
  "discount_bps?": type("0 <= number.integer <= 10000").describe(
    "Discount on this line in basis points (1000 = 10%). Omit for none.",
  ),
  "description?": type("0 < string <= 200").describe("Line text shown to the customer; defaults to the product name."),
});
export const LinesArg = LineArg.array()
  .atLeastLength(1)
  .atMostLength(PRICING_LIMITS.maxLines)
  .describe(
    `The quote lines, 1 to ${PRICING_LIMITS.maxLines}. Prices come from the catalog in the tenant's currency unless overridden. Every amount is an exact integer; a quote whose total would exceed ${PRICING_LIMITS.maxAmountMinor} minor units (2^53 − 1) is refused: split it.`,
  );

export type LineArgs = (typeof LineArg.infer)[];

export function toLineInputs(lines: LineArgs): QuoteLineInput[] {
  return lines.map((l) => ({
    product: l.product,
    quantity: l.quantity,
    unitPriceMinor: l.unit_price_minor,
    discountBps: l.discount_bps,
    description: l.description,
  }));
}

export function actorOf(ctx: ToolContext): Actor {
  return { userId: ctx.principal.userId };
}

/** Turns a service business-rule error into the tool error the model reads (isError result, audit tool_error). */
async function translated<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CavalierError) throw new ToolError(err.message, { code: err.code, ...err.detail });
    throw err;
  }
}

type ToolDef<In extends Type, Out extends Type> = Parameters<typeof defineTool<In, Out>>[0];

/** defineTool, with the cavalier service's CavalierError mapped to ToolError in both preview and handler. */
export function cavalierTool<In extends Type, Out extends Type>(def: ToolDef<In, Out>): ToolDefinition {
  const preview = def.preview;
  return defineTool<In, Out>({
    ...def,
    handler: (input, ctx) => translated(() => def.handler(input, ctx)),
    preview: preview ? (input, ctx): Promise<ToolPreview> => translated(() => preview(input, ctx)) : undefined,
  });
}

export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
