import type { ToolDefinition } from "../../mcp/define-tool";
import { createDealTool } from "./tools/create-deal";
import { createQuoteTool } from "./tools/create-quote";
import { getDealTool } from "./tools/get-deal";
import { getQuoteTool } from "./tools/get-quote";
import { listContactsTool } from "./tools/list-contacts";
import { listDealsTool } from "./tools/list-deals";
import { listQuotesTool } from "./tools/list-quotes";
import { listTenantsTool } from "./tools/list-tenants";
import { markQuoteSentTool } from "./tools/mark-quote-sent";
import { priceQuoteTool } from "./tools/price-quote";
import { recordQuoteDecisionTool } from "./tools/record-quote-decision";
import { reviseQuoteTool } from "./tools/revise-quote";
import { searchProductsTool } from "./tools/search-products";
import { updateDealStageTool } from "./tools/update-deal-stage";

/**
 * The cavalier surface's tool manifest: every tool this surface serves (one file per tool under ./tools/),
 * grouped by entity, reads before writes. No tool deletes a quote: void and superseded keep the history.
 */
export const cavalierTools: ToolDefinition[] = [
  listTenantsTool,
  searchProductsTool,
  listContactsTool,
  listDealsTool,
  getDealTool,
  createDealTool,
  updateDealStageTool,
  priceQuoteTool,
  listQuotesTool,
  getQuoteTool,
  createQuoteTool,
  reviseQuoteTool,
  markQuoteSentTool,
  recordQuoteDecisionTool,
];
