import { SURFACE_DISPLAY_NAMES, type SurfaceName } from "../config/schema";
import type { ToolDefinition } from "../mcp/define-tool";

/** One surface as the appliance serves it: its display name and its tool manifest. */
export interface SurfaceEntry {
  readonly title: string;
  /**
   * The surface's tool manifest, imported on the first call and the same array ever after. The tool modules declare
   * their arktype input and output types at module level, and parsing and compiling those costs more than everything
   * else a start does, so they are evaluated on the surface's first request rather than on the path to listening
   * (a dynamic `import()` is evaluated when it is called, in the compiled binary as in the source tree).
   */
  readonly loadTools: () => Promise<readonly ToolDefinition[]>;
}

const loaded = new Map<SurfaceName, readonly ToolDefinition[]>();

function manifest(
  surface: SurfaceName,
  load: () => Promise<readonly ToolDefinition[]>,
): () => Promise<readonly ToolDefinition[]> {
  let pending: Promise<readonly ToolDefinition[]> | undefined;
  return () =>
    (pending ??= load().then((tools) => {
      loaded.set(surface, tools);
      return tools;
    }));
}

/**
 * The one list of surfaces and their tools, read by the MCP feature (src/features.ts) and the admin Servers page
 * (src/admin/servers.ts). Adding a surface means adding it here and to `SurfaceName`.
 */
export const SURFACE_REGISTRY: Readonly<Record<SurfaceName, SurfaceEntry>> = {
  forge: {
    title: SURFACE_DISPLAY_NAMES.forge,
    loadTools: manifest("forge", async () => (await import("./forge/index")).forgeTools),
  },
  cavalier: {
    title: SURFACE_DISPLAY_NAMES.cavalier,
    loadTools: manifest("cavalier", async () => (await import("./cavalier/index")).cavalierTools),
  },
  aegis: {
    title: SURFACE_DISPLAY_NAMES.aegis,
    loadTools: manifest("aegis", async () => (await import("./aegis/index")).aegisTools),
  },
};

/**
 * Whether `name` is a tool of a manifest loaded in this process. A tool's audit row is written only by its surface,
 * after that surface's manifest has loaded, so for the rows this process commits this is the whole catalog.
 */
export function isLoadedToolName(name: string): boolean {
  for (const tools of loaded.values()) if (tools.some((t) => t.name === name)) return true;
  return false;
}
