import type { Features } from "./appliance";
import type { AppContext } from "./context";
import { demoSeedOnStart } from "./demo/index";
import { mcpFeature } from "./mcp/index";
import { aegisTools } from "./surfaces/aegis/index";
import { cavalierTools } from "./surfaces/cavalier/index";
import { forgeTools } from "./surfaces/forge/index";

/**
 * Builds every feature's plugins and lifecycle hooks from the shared context. This is the one list of
 * what the appliance serves; adding a feature means adding it here.
 */
export async function buildFeatures(ctx: AppContext, env: Record<string, string | undefined>): Promise<Features> {
  void env;
  void ctx;
  const mcp = mcpFeature(ctx, { forge: forgeTools, cavalier: cavalierTools, aegis: aegisTools });
  return { publicFeatures: [mcp.plugin], adminFeatures: [], onStart: [demoSeedOnStart(ctx, env), mcp.onStart], onStop: [mcp.onStop] };
}
