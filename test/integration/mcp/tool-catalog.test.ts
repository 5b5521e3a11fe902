import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  catalogBlockOf,
  catalogsFromDefinitions,
  README_PATH,
  renderToolCatalog,
  type SurfaceCatalog,
} from "../../../scripts/tool-catalog";
import { SURFACES } from "../../../src/config/schema";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";

/**
 * The README's tool catalog is the one a client gets: rendered from the live `GET /{surface}/list_tools` of a real
 * appliance, it must equal the block in README.md byte for byte. When it fails, run `npm run catalog`.
 */

let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
}, 60_000);
afterAll(async () => {
  await app?.close();
});

async function servedCatalogs(): Promise<SurfaceCatalog[]> {
  return await Promise.all(
    SURFACES.map(async (surface) => {
      const res = await fetch(`${app.baseUrl}/${surface}/list_tools`);
      expect(res.status).toBe(200);
      return (await res.json()) as SurfaceCatalog;
    }),
  );
}

describe("README tool catalog", () => {
  test("equals the table rendered from GET /{surface}/list_tools (npm run catalog regenerates it)", async () => {
    const served = renderToolCatalog(await servedCatalogs());
    const inReadme = catalogBlockOf(readFileSync(README_PATH, "utf8"));
    expect(inReadme).not.toBeNull();
    expect(inReadme!).toBe(served);
  });

  test("the script renders from the definitions exactly what the endpoints serve", async () => {
    expect(renderToolCatalog(await catalogsFromDefinitions())).toBe(renderToolCatalog(await servedCatalogs()));
  });

  test("a tool whose title or annotations changed no longer matches", async () => {
    const served = await servedCatalogs();
    const first = served[0]!.tools[0]!;
    const edited = served.map((c, i) =>
      i === 0 ? { ...c, tools: [{ ...first, title: `${first.title} (renamed)` }, ...c.tools.slice(1)] } : c,
    );
    expect(renderToolCatalog(edited)).not.toBe(renderToolCatalog(served));
    const hinted = served.map((c, i) =>
      i === 0
        ? {
            ...c,
            tools: [
              { ...first, annotations: { ...first.annotations, idempotentHint: !first.annotations.idempotentHint } },
              ...c.tools.slice(1),
            ],
          }
        : c,
    );
    expect(renderToolCatalog(hinted)).not.toBe(renderToolCatalog(served));
  });
});
