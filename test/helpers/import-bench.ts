import { AuditLog } from "../../src/audit/log";
import { parseConfigText } from "../../src/config/load";
import { contactsKind } from "../../src/import/kinds/contacts";
import { productsKind } from "../../src/import/kinds/products";
import type { ImportCounts } from "../../src/import/report";
import { runImport } from "../../src/import/service";
import { systemClock } from "../../src/shared/clock";
import { silentLogger } from "../../src/shared/log";
import type { Store } from "../../src/store/index";
import { freePort, tempDir, testConfigToml } from "./appliance";
import { join } from "node:path";

/** A products CSV as close under the kind's size limit as whole rows allow; `version` changes every price. */
export function largestProductsCsv(version: number): Uint8Array {
  const header = "sku,name,description,product_class,unit,billing,unit_price,unit_cost,currency,taxable,active\n";
  const parts = [header];
  let size = header.length;
  for (let i = 0; ; i++) {
    const row = `SKU-${String(i).padStart(7, "0")},"Managed service ${i}, per seat","Monitoring, patching and support for seat ${i}",service,seat,monthly,${(i % 900) + 10 + version}.50,${(i % 400) + 5}.25,USD,true,true\n`;
    if (size + row.length > productsKind.maxBytes) break;
    parts.push(row);
    size += row.length;
  }
  return new TextEncoder().encode(parts.join(""));
}

/** A contacts CSV as close under the kind's size limit as whole rows allow; `version` changes every title. */
export function largestContactsCsv(version: number): Uint8Array {
  const header = "tenant,name,email,title,phone,primary\n";
  const parts = [header];
  let size = header.length;
  for (let i = 0; ; i++) {
    const row = `contosocare,Person ${i},person.${i}@contosocare.example,"Staff, grade ${version}",+1 206 555 ${String(i % 10000).padStart(4, "0")},false\n`;
    if (size + row.length > contactsKind.maxBytes) break;
    parts.push(row);
    size += row.length;
  }
  return new TextEncoder().encode(parts.join(""));
}

let shared: { store: Store; audit: AuditLog } | null = null;

/** Imports into a fresh (per process) real libSQL store through the service, as the CLI would. */
export async function measureImport(
  bytes: Uint8Array,
  kind: "products" | "contacts" = "products",
): Promise<{ records: number; counts: ImportCounts; totalMs: number; writeMs: number }> {
  if (!shared) {
    const dir = tempDir("cavaridge-import-bench-");
    const config = parseConfigText(
      testConfigToml({
        publicPort: await freePort(),
        adminPort: await freePort(),
        dbPath: join(dir, "bench.db"),
        demoSeed: false,
      }),
      "bench.toml",
    );
    const { prepareStore } = await import("../../src/appliance");
    const { store } = await prepareStore(config, {}, systemClock, silentLogger);
    shared = { store, audit: new AuditLog(store.db, systemClock, silentLogger) };
  }
  const { store, audit } = shared;
  const started = performance.now();
  const report = await runImport(
    { store, audit, clock: systemClock, log: silentLogger },
    { type: "cli", osUser: "bench" },
    {
      kind,
      source: { type: "bytes", bytes },
      ...(kind === "products" ? { tenant: "harbor-it" } : {}),
      dryRun: false,
    },
  );
  const totalMs = Math.round(performance.now() - started);
  if (report.problems.length > 0) throw new Error(JSON.stringify(report.problems.slice(0, 3)));
  const row = await store.client.execute({
    sql: "SELECT detail FROM audit_log WHERE id = ?",
    args: [report.auditId!],
  });
  const writeMs = (JSON.parse(String(row.rows[0]!.detail)) as { write_ms: number }).write_ms;
  return { records: report.records, counts: report.counts, totalMs, writeMs };
}
