import type { ToolDefinition } from "../../mcp/define-tool";

/** The cavalier surface's tool manifest: every tool this surface serves (one file per tool under ./tools/). */
export const cavalierTools: ToolDefinition[] = [];
