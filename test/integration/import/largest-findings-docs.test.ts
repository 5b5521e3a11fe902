import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AuditLog } from "../../../src/audit/log";
import { parseConfigText } from "../../../src/config/load";
import { docsKind } from "../../../src/import/kinds/docs";
import { findingsKind } from "../../../src/import/kinds/findings";
import type { ImportSource } from "../../../src/import/kind";
import { runImport } from "../../../src/import/service";
import { systemClock } from "../../../src/shared/clock";
import { silentLogger } from "../../../src/shared/log";
import type { Store } from "../../../src/store/index";
import { freePort, tempDir, testConfigToml } from "../../helpers/appliance";

/**
 * The write transaction of the largest findings file and the largest docs tree the kinds accept stays under the 5 s
 * busy timeout other processes on the same database wait with (src/store/index.ts): a real libSQL file, every record
 * new (the most rows written: findings, resources, links, history, posture; documents, versions, FTS5 index).
 */
const BUSY_TIMEOUT_MS = 5000;
let dir: string;
let store: Store;
let audit: AuditLog;

beforeAll(async () => {
  dir = tempDir("cavaridge-import-largest-");
  const config = parseConfigText(
    testConfigToml({
      publicPort: await freePort(),
      adminPort: await freePort(),
      dbPath: join(dir, "largest.db"),
      demoSeed: false,
    }),
    "largest.toml",
  );
  const { prepareStore } = await import("../../../src/appliance");
  ({ store } = await prepareStore(config, {}, systemClock, silentLogger));
  audit = new AuditLog(store.db, systemClock, silentLogger);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function measure(kind: string, source: ImportSource, tenant: string) {
  const report = await runImport(
    { store, audit, clock: systemClock, log: silentLogger },
    { type: "cli", osUser: "largest" },
    { kind, source, tenant, dryRun: false },
  );
  if (report.problems.length > 0) throw new Error(JSON.stringify(report.problems.slice(0, 3)));
  const row = await store.client.execute({ sql: "SELECT detail FROM audit_log WHERE id = ?", args: [report.auditId!] });
  return { report, writeMs: (JSON.parse(String(row.rows[0]!.detail)) as { write_ms: number }).write_ms };
}

describe("the largest allowed findings and docs imports", () => {
  test("findings: as many OCSF records as fit in the limit, all new", async () => {
    const lines: string[] = [];
    let size = 0;
    for (let n = 0; ; n++) {
      const line = `${JSON.stringify({
        class_uid: n % 3 ? 2003 : 2004,
        severity_id: 1 + (n % 6),
        time: Date.parse("2026-11-20T08:00:00Z") + n,
        metadata: { version: "1.3.0", product: { name: `Scanner ${n % 4}` } },
        finding_info: {
          uid: `finding-${n}`,
          title: `Finding ${n} about a configuration weakness`,
          desc: "A description of the weakness, long enough to resemble a real scanner's text. ".repeat(6),
        },
        resources: [{ uid: `host-${n % 500}`, name: `host-${n % 500}`, type: "Device" }],
        ...(n % 3 ? { compliance: { standards: ["CIS Controls v8"], control: `c-${n % 300}`, status_id: 3 } } : {}),
      })}\n`;
      if (size + line.length > findingsKind.maxBytes) break;
      lines.push(line);
      size += line.length;
    }
    const bytes = new TextEncoder().encode(lines.join(""));
    expect(bytes.byteLength).toBeGreaterThan(findingsKind.maxBytes - 2048);
    const { report, writeMs } = await measure("findings", { type: "bytes", bytes }, "otter-client");
    expect(report.counts.inserted).toBe(lines.length);
    expect(writeMs).toBeLessThan(BUSY_TIMEOUT_MS);
    console.log(`largest findings file: ${bytes.byteLength} bytes, ${lines.length} records; write ${writeMs} ms`);
  }, 180_000);

  test("docs: 2000 Markdown files filling the limit, all new", async () => {
    const paragraph = `${"Restart the spooler, re-add the printer, check the DHCP lease of its address. ".repeat(8)}\n\n`;
    const perFile = Math.floor(docsKind.maxBytes / 2000) - 200;
    const files = Array.from({ length: 2000 }, (_, n) => ({
      path: `kb/d${n % 40}/doc-${n}.md`,
      bytes: new TextEncoder().encode(
        `---\ntitle: Printer note ${n}\nkind: article\ntags: [printing]\n---\n\n${paragraph.repeat(Math.floor(perFile / paragraph.length))}`,
      ),
    }));
    const { report, writeMs } = await measure("docs", { type: "tree", files }, "harbor-it");
    expect(report.counts.inserted).toBe(2000);
    expect(report.bytes).toBeGreaterThan(docsKind.maxBytes * 0.9);
    expect(writeMs).toBeLessThan(BUSY_TIMEOUT_MS);
    console.log(`largest docs tree: ${report.bytes} bytes, 2000 files; write ${writeMs} ms`);
  }, 180_000);
});
