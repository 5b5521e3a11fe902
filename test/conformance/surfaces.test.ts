import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { SURFACES, type SurfaceName } from "../../src/config/schema";
import { type ConformanceTarget, startConformanceTarget } from "./target";
import { type Check, runConformance } from "./run-suite";
import { APPLICABLE, NOT_APPLICABLE } from "./scenarios";

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, server scenarios, active suite) run
 * against a started appliance, once per surface, through a loopback proxy that adds a real bearer token.
 * Runs the suite's CLI under Bun (it is a Node 22 program; Bun runs it as is).
 */
const CLI = resolve(import.meta.dir, "../../node_modules/@modelcontextprotocol/conformance/dist/index.js");

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startConformanceTarget("cavaridge-conformance-");
});
afterAll(async () => await target?.stop());

async function runSuite(surface: SurfaceName): Promise<Map<string, Check[]>> {
  return await runConformance(CLI, target.url(surface), target.out(surface));
}

describe("MCP conformance suite", () => {
  for (const surface of SURFACES) {
    test(`${surface}: every applicable scenario passes; every scenario is classified`, async () => {
      const results = await runSuite(surface);
      const failures: string[] = [];
      for (const scenario of APPLICABLE) {
        const checks = results.get(scenario);
        if (!checks) {
          failures.push(`${scenario}: did not run`);
          continue;
        }
        for (const c of checks)
          if (c.status === "FAILURE") failures.push(`${scenario}/${c.id}: ${c.errorMessage ?? "failed"}`);
      }
      const unclassified = [...results.keys()].filter(
        (s) => !(APPLICABLE as readonly string[]).includes(s) && !(s in NOT_APPLICABLE),
      );
      expect(failures).toEqual([]);
      expect(unclassified).toEqual([]);
      const passed = APPLICABLE.filter((s) => results.get(s)?.every((c) => c.status !== "FAILURE")).length;
      console.log(
        `conformance ${surface}: ${passed}/${APPLICABLE.length} applicable scenarios passed; ${results.size - APPLICABLE.length} not applicable`,
      );
    }, 120_000);
  }
});
