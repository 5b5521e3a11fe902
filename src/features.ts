import type { Features } from "./appliance";
import type { AppContext } from "./context";

/**
 * Builds every feature's plugins and lifecycle hooks from the shared context. This is the one list of
 * what the appliance serves; adding a feature means adding it here.
 */
export async function buildFeatures(ctx: AppContext, env: Record<string, string | undefined>): Promise<Features> {
  void env;
  void ctx;
  return { publicFeatures: [], adminFeatures: [], onStart: [], onStop: [] };
}
