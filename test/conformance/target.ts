import { rmSync } from "node:fs";
import { join } from "node:path";
import { SURFACES, type SurfaceName } from "../../src/config/schema";
import { startTestAppliance, tempDir } from "../helpers/appliance";
import { obtainTokens } from "../helpers/oauth";
import { startTokenProxy } from "./proxy";

/** A started appliance behind the bearer-adding proxy, as both conformance runs (2025 and 2026-07-28) use it. */
export interface ConformanceTarget {
  /** The proxied MCP endpoint of one surface. */
  url(surface: SurfaceName): string;
  /** Where the suite writes one surface's results. */
  out(surface: SurfaceName): string;
  stop(): Promise<void>;
}

export async function startConformanceTarget(outPrefix: string): Promise<ConformanceTarget> {
  const app = await startTestAppliance();
  const tokens = new Map<SurfaceName, string>();
  for (const s of SURFACES)
    tokens.set(s, (await obtainTokens(app, { email: "admin@harbor-it.example", surface: s })).access_token);
  const proxy = startTokenProxy(app.baseUrl, (path) => tokens.get(path.split("/")[1] as SurfaceName) ?? "none");
  const outRoot = tempDir(outPrefix);
  return {
    url: (surface) => `${proxy.url}/${surface}`,
    out: (surface) => join(outRoot, surface),
    async stop() {
      proxy.stop();
      await app.close();
      rmSync(outRoot, { recursive: true, force: true });
    },
  };
}
