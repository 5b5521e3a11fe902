import { expect, test } from "bun:test";
import { Metrics } from "../../../src/observability/metrics";
import type { DbLike } from "../../../src/store/index";

test("the process and runtime metrics are registered on the first scrape, not when the registry is built", () => {
  const metrics = new Metrics({} as DbLike);
  const declared = () => metrics.registry.getMetricsAsArray().map((m) => m.name);
  expect(declared()).not.toContain("cavaridge_process_resident_memory_bytes");
  metrics.registerDefaultMetrics();
  metrics.registerDefaultMetrics();
  expect(declared()).toContain("cavaridge_process_resident_memory_bytes");
  expect(declared()).toContain("cavaridge_nodejs_eventloop_lag_seconds");
});
