import type { Features } from "./appliance";
import type { AppContext } from "./context";
import { adminRoutes } from "./admin/index";
import { demoSeedOnStart } from "./demo/index";
import { mcpFeature } from "./mcp/index";
import { buildOAuthFeature } from "./oauth/index";
import { buildObservabilityFeature } from "./observability/index";
import { aegisTools } from "./surfaces/aegis/index";
import { cavalierTools } from "./surfaces/cavalier/index";
import { forgeTools } from "./surfaces/forge/index";

/**
 * Builds every feature's plugins and lifecycle hooks from the shared context. This is the one list of
 * what the appliance serves; adding a feature means adding it here.
 */
export async function buildFeatures(ctx: AppContext, env: Record<string, string | undefined>): Promise<Features> {
  // OAuth first: it sets ctx.oauth (keys, bearer verifier) that the MCP surfaces use.
  const oauth = await buildOAuthFeature(ctx, env);
  const observability = buildObservabilityFeature(ctx, env);
  const mcp = mcpFeature(ctx, { forge: forgeTools, cavalier: cavalierTools, aegis: aegisTools }, env);
  return {
    publicFeatures: [oauth.plugin, mcp.plugin],
    adminFeatures: [adminRoutes(ctx), observability.adminPlugin],
    onStart: [oauth.onStart, demoSeedOnStart(ctx, env), mcp.onStart, observability.onStart],
    onStop: [observability.onStop, oauth.onStop, mcp.onStop],
  };
}
