/**
 * What an audit row's id costs the group commit once the log has grown: the same grouped inserts (16 rows per
 * transaction, as at c=32) into an `audit_log` that already holds `rows` rows, with random ids (the old
 * `newId("aud")`: 96 random bits) against time-ordered ones (`newOrderedId("aud")`: a UUIDv7). `audit_log.id` is
 * unique, so every insert also goes into that index: a random id lands on a random page of it, and the group's
 * COMMIT writes every page its rows dirtied to the WAL; an ordered id lands on the index's last page.
 * Both run in the same process on fresh files, interleaved, and the ratio is printed (the machine is noisy).
 *
 *   npx bun bench/audit-ids.ts [rows=200000] [groups=1000]
 */
import Database from "libsql";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { newId, newOrderedId } from "../src/shared/crypto";
import { openStore } from "../src/store/index";
import { applyMigrations } from "../src/store/migrate";
import { tempDir } from "../test/helpers/appliance";

const rows = Number(process.argv[2] ?? 200_000);
const groups = Number(process.argv[3] ?? 1000);

async function measure(kind: "random" | "ordered"): Promise<{ insert: number; commit: number }> {
  const dir = tempDir("cavaridge-audit-ids-");
  const file = join(dir, "audit.db");
  const store = await openStore(`file:${file}`);
  await applyMigrations(store.client);
  store.close();
  const db = new Database(file);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL"); // as the store's connections run (src/store/local-client.ts)
  const id = kind === "random" ? () => newId("aud") : () => newOrderedId("aud");
  let n = 0;
  // A read's row as the audit log writes it (src/audit/log.ts `toRow`), keyed by column.
  const row = (): Record<string, string | number> => {
    n++;
    return {
      id: id(),
      at: Date.now(),
      kind: "mcp",
      action: "cavalier.list_tenants",
      outcome: "ok",
      request_id: `req_${n}`,
      surface: "cavalier",
      tool: "cavalier_list_tenants",
      user_id: "usr_1",
      tenant_id: ["harbor-it", "contosocare", "fabrikam-law"][n % 3]!,
      client_id: "cli_1",
      grant_id: "grt_1",
      ip: "127.0.0.1",
      latency_ms: 3,
      detail: '{"arguments":{}}',
      prev_hash: "0".repeat(64),
      hash: "f".repeat(64),
    };
  };
  const columns = Object.keys(row());
  const statement = db.prepare(
    `INSERT INTO audit_log (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  const insert = { run: (r: Record<string, string | number>) => statement.run(columns.map((c) => r[c])) };
  for (let done = 0; done < rows; done += 10_000) {
    db.exec("BEGIN");
    for (let i = 0; i < Math.min(10_000, rows - done); i++) insert.run(row());
    db.exec("COMMIT");
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  let inserting = 0;
  let committing = 0;
  for (let g = 0; g < groups; g++) {
    begin.run();
    const a = performance.now();
    for (let i = 0; i < 16; i++) insert.run(row());
    const b = performance.now();
    commit.run();
    inserting += b - a;
    committing += performance.now() - b;
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { insert: (inserting * 1000) / groups, commit: (committing * 1000) / groups };
}

const results: Record<string, { insert: number; commit: number }[]> = { random: [], ordered: [] };
for (let round = 0; round < 2; round++) {
  for (const kind of ["random", "ordered"] as const) {
    const r = await measure(kind);
    results[kind]!.push(r);
    console.log(
      `${kind.padEnd(7)} ids, ${rows} rows before: 16 inserts ${r.insert.toFixed(0)} µs, COMMIT ${r.commit.toFixed(0)} µs`,
    );
  }
}
const total = (k: string) => Math.min(...results[k]!.map((r) => r.insert + r.commit));
console.log(
  `per group of 16 rows (best of 2): random ${total("random").toFixed(0)} µs, ordered ${total("ordered").toFixed(0)} µs; ` +
    `ordered / random = ${(total("ordered") / total("random")).toFixed(2)}`,
);
