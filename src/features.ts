import type { Features } from "./appliance";
import type { AppContext } from "./context";
import { adminRoutes } from "./admin/index";
import { demoSeedOnStart } from "./demo/index";
import { mcpFeature } from "./mcp/index";
import { buildOAuthFeature } from "./oauth/index";
import { buildObservabilityFeature } from "./observability/index";
import { SURFACE_REGISTRY } from "./surfaces/index";

/**
 * Builds every feature's plugins and lifecycle hooks from the shared context. This is the one list of what the
 * appliance serves, and the one place long-lived services cross features: each is passed as an argument to the
 * features that use it, never set on the shared context.
 */
export async function buildFeatures(ctx: AppContext, env: Record<string, string | undefined>): Promise<Features> {
  // OAuth first: its keys are bootstrapped before anything verifies a token or signs a checkpoint.
  const oauth = await buildOAuthFeature(ctx, env);
  const observability = buildObservabilityFeature(ctx, env, oauth.services);
  const mcp = mcpFeature(ctx, SURFACE_REGISTRY, oauth.services.verifier, env);
  const { metrics } = observability.services;
  return {
    publicFeatures: [oauth.plugin, mcp.plugin],
    adminFeatures: [adminRoutes(ctx, { streamLag: observability.services.streamLag }), observability.adminPlugin],
    onStart: [oauth.onStart, demoSeedOnStart(ctx, env), mcp.onStart, observability.onStart],
    onStop: [observability.onStop, oauth.onStop, mcp.onStop],
    observeRequest: (listener, path, status) => metrics.observeRequest(listener, path, status),
    services: { oauth: oauth.services, observability: observability.services },
  };
}
