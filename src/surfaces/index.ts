import { SURFACE_DISPLAY_NAMES, type SurfaceName } from "../config/schema";
import type { ToolDefinition } from "../mcp/define-tool";
import { aegisTools } from "./aegis/index";
import { cavalierTools } from "./cavalier/index";
import { forgeTools } from "./forge/index";

/** One surface as the appliance serves it: its display name and its tool manifest. */
export interface SurfaceEntry {
  readonly title: string;
  readonly tools: readonly ToolDefinition[];
}

/**
 * The one list of surfaces and their tools, read by the MCP feature (src/features.ts) and the admin Servers page
 * (src/admin/servers.ts). Adding a surface means adding it here and to `SurfaceName`.
 */
export const SURFACE_REGISTRY: Readonly<Record<SurfaceName, SurfaceEntry>> = {
  forge: { title: SURFACE_DISPLAY_NAMES.forge, tools: forgeTools },
  cavalier: { title: SURFACE_DISPLAY_NAMES.cavalier, tools: cavalierTools },
  aegis: { title: SURFACE_DISPLAY_NAMES.aegis, tools: aegisTools },
};
