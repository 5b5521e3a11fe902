import type { ToolDefinition } from "../../mcp/define-tool";
import { acknowledgeFindingTool } from "./tools/acknowledge-finding";
import { exportEvidenceTool } from "./tools/export-evidence";
import { getControlTool } from "./tools/get-control";
import { getFindingTool } from "./tools/get-finding";
import { getPostureSummaryTool } from "./tools/get-posture-summary";
import { getPostureTrendTool } from "./tools/get-posture-trend";
import { listControlsTool } from "./tools/list-controls";
import { listFindingsTool } from "./tools/list-findings";
import { listTenantsTool } from "./tools/list-tenants";
import { reopenFindingTool } from "./tools/reopen-finding";
import { resolveFindingTool } from "./tools/resolve-finding";
import { suppressFindingTool } from "./tools/suppress-finding";

/**
 * The aegis surface's tool manifest: every tool this surface serves (one file per tool under ./tools/),
 * reads before writes. Suppress and resolve change reported posture, so they are destructive (confirmation
 * round-trip); acknowledge and reopen only add work or make risk visible again.
 */
export const aegisTools: ToolDefinition[] = [
  listTenantsTool,
  getPostureSummaryTool,
  getPostureTrendTool,
  listFindingsTool,
  getFindingTool,
  listControlsTool,
  getControlTool,
  exportEvidenceTool,
  acknowledgeFindingTool,
  reopenFindingTool,
  suppressFindingTool,
  resolveFindingTool,
];
