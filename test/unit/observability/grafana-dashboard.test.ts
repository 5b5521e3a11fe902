import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Metrics } from "../../../src/observability/metrics";
import type { DbLike } from "../../../src/store/index";

/** The dashboard in docs/ must only query series the appliance exports, or its panels go blank after a rename. */
test("every series the Grafana dashboard queries is one the metrics registry declares", async () => {
  const dashboard = JSON.parse(readFileSync(join(import.meta.dir, "../../../docs/grafana/cavaridge.json"), "utf8")) as {
    panels: { targets: { expr: string }[] }[];
  };
  // Declared families only; no scrape happens, so the store is never touched.
  const metrics = new Metrics({} as DbLike);
  metrics.registerDefaultMetrics();
  const declared = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
  const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/cavaridge_[a-z_]+/g) ?? []));
  expect(used.length).toBeGreaterThan(10);
  for (const name of used) expect(declared.has(name.replace(/_(bucket|sum|count)$/, ""))).toBe(true);
});
