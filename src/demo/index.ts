import { seedAegis } from "./aegis";
import { seedForge } from "./forge-seed";
import { DEMO_SEED_ENV } from "../config/load";
import type { Config } from "../config/schema";
import { seedDemo, type SeedContext, type SeedResult, type SurfaceSeed } from "./seed";

/**
 * The other surfaces' demo seeds, run by seedDemo in the same transaction after cavalier's
 * (aegis: src/demo/aegis.ts, forge: src/demo/forge-seed.ts, each `(db, now) => Promise`).
 */
export const SURFACE_SEEDS: Record<string, SurfaceSeed> = { aegis: seedAegis, forge: seedForge };

/** Seeds every surface's demo data (used by `cavaridge demo seed`). */
export async function seedAllDemo(ctx: SeedContext, opts: { onlyIfEmpty?: boolean } = {}): Promise<SeedResult> {
  return await seedDemo(ctx, { ...opts, extraSeeds: SURFACE_SEEDS });
}

/**
 * The start-up hook: seeds an empty database only when the config asks for it (`[demo] seed = true`), and never
 * when the appliance's environment says CAVARIDGE_DEMO_SEED=off (the loader maps that variable onto the key; this
 * also honours it for an environment handed to startAppliance directly). Never blocks start on a seed error.
 */
export function demoSeedOnStart(
  ctx: SeedContext & { readonly config: Config },
  env: Record<string, string | undefined>,
): () => Promise<void> {
  return async () => {
    if (!ctx.config.demo.seed || (env[DEMO_SEED_ENV] ?? "").toLowerCase() === "off") return;
    try {
      const result = await seedAllDemo(ctx, { onlyIfEmpty: true });
      if (result.status === "skipped") ctx.log.debug("demo seed skipped", { reason: result.reason });
    } catch (err) {
      ctx.log.error("demo seed failed; the appliance starts without demo data", { error: err });
    }
  };
}
