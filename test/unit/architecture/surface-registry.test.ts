import { describe, expect, test } from "bun:test";
import { toolCatalog } from "../../../src/admin/servers";
import { SURFACES } from "../../../src/config/schema";
import { surfaceTitle } from "../../../src/oauth/scopes";
import { SURFACE_REGISTRY } from "../../../src/surfaces/index";

/** src/surfaces/index.ts is the one surface -> tools map; the admin Servers page and the consent page agree with it. */
describe("surface registry", () => {
  test("names every surface, each with tools whose names are unique within it", async () => {
    expect(Object.keys(SURFACE_REGISTRY).sort()).toEqual([...SURFACES].sort());
    for (const surface of SURFACES) {
      const names = (await SURFACE_REGISTRY[surface].loadTools()).map((t) => t.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  test("the admin tool catalog and the consent page's surface title come from it", async () => {
    for (const surface of SURFACES) {
      const names = (await SURFACE_REGISTRY[surface].loadTools()).map((t) => t.name);
      expect((await toolCatalog(surface)).map((t) => t.name)).toEqual(names);
      expect(surfaceTitle(surface)).toBe(SURFACE_REGISTRY[surface].title);
    }
  });
});
