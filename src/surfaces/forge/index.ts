import type { ToolDefinition } from "../../mcp/define-tool";

/** The forge surface's tool manifest: every tool this surface serves (one file per tool under ./tools/). */
export const forgeTools: ToolDefinition[] = [];
