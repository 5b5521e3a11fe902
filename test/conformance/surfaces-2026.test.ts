import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { SURFACES } from "../../src/config/schema";
import { type ConformanceTarget, startConformanceTarget } from "./target";
import { runConformance } from "./run-suite";
import { APPLICABLE_2026, NOT_APPLICABLE_2026, NOT_APPLICABLE_CHECKS } from "./scenarios-2026";

/**
 * The conformance suite's MCP 2026-07-28 server scenarios (`--requirements 2026-07-28`, the pinned alpha installed
 * as @modelcontextprotocol/conformance-next) against a started appliance, once per surface, through the same
 * bearer-adding proxy as the 2025 run beside it.
 */
const CLI = resolve(import.meta.dir, "../../node_modules/@modelcontextprotocol/conformance-next/dist/index.js");

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startConformanceTarget("cavaridge-conformance-2026-");
});
afterAll(async () => await target?.stop());

describe("MCP conformance suite, 2026-07-28", () => {
  for (const surface of SURFACES) {
    test(`${surface}: every applicable scenario passes; every scenario is classified`, async () => {
      const results = await runConformance(CLI, target.url(surface), target.out(surface), [
        "--requirements",
        "2026-07-28",
      ]);
      const failures: string[] = [];
      for (const scenario of APPLICABLE_2026) {
        const checks = results.get(scenario);
        if (!checks) {
          failures.push(`${scenario}: did not run`);
          continue;
        }
        for (const c of checks)
          if (c.status === "FAILURE" && !(c.id in NOT_APPLICABLE_CHECKS))
            failures.push(`${scenario}/${c.id}: ${c.errorMessage ?? "failed"}`);
      }
      const unclassified = [...results.keys()].filter(
        (s) => !(APPLICABLE_2026 as readonly string[]).includes(s) && !(s in NOT_APPLICABLE_2026),
      );
      expect(failures).toEqual([]);
      expect(unclassified).toEqual([]);
      console.log(
        `conformance 2026-07-28 ${surface}: ${APPLICABLE_2026.length} applicable scenarios passed; ${results.size - APPLICABLE_2026.length} not applicable`,
      );
    }, 120_000);
  }
});
