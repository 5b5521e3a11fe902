import { afterEach, expect, test } from "bun:test";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AuditLog } from "../../../src/audit/log";
import { silentLogger } from "../../../src/shared/log";
import { openStore } from "../../../src/store/index";
import { acquireLease, headSeq, readPosition, writePosition } from "../../../src/observability/stream/store";
import { startTestAppliance, tempDir, type TestAppliance } from "../../helpers/appliance";
import { HttpReceiver, waitFor, type ReceivedRecord } from "../../helpers/audit-receivers";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const sinkToml = (port: number) =>
  `[audit]\n[[audit.sinks]]\ntype = "http"\nname = "siem"\nurl = "http://127.0.0.1:${port}/"\nbatch_size = 3\n`;

async function start(dir: string, port: number): Promise<TestAppliance> {
  const app = await startTestAppliance({ dir, env: { CAVARIDGE_DEMO_SEED: "off" }, extraToml: sinkToml(port) });
  cleanup.push(() => app.close());
  return app;
}

const rows = (records: ReceivedRecord[]) => records.filter((r) => r.type === "audit");

async function writeRows(app: TestAppliance, n: number, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      app.ctx.audit.record({ kind: "system", action: `test.${tag}`, outcome: "ok", detail: { i } }),
    ),
  );
}

test("the lease admits one holder until it lapses, and a position write needs the lease", async () => {
  const dir = tempDir();
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openStore(`file:${join(dir, "lease.db")}`);
  cleanup.push(() => store.close());
  const { applyMigrations } = await import("../../../src/store/migrate");
  await applyMigrations(store.client);
  const t0 = 1_000_000;
  expect(await acquireLease(store.client, "audit-forwarder", "a", t0, 10_000)).toBe(true);
  expect(await acquireLease(store.client, "audit-forwarder", "b", t0 + 5_000, 10_000)).toBe(false);
  expect(await acquireLease(store.client, "audit-forwarder", "a", t0 + 6_000, 10_000)).toBe(true); // renewal
  expect(await acquireLease(store.client, "audit-forwarder", "b", t0 + 15_000, 10_000)).toBe(false);
  expect(await acquireLease(store.client, "audit-forwarder", "b", t0 + 16_000, 10_000)).toBe(true); // lapsed
  const pos = { seq: 5, hash: "h".repeat(64), epoch: "genesis" };
  expect(await writePosition(store.client, "siem", pos, "a", t0 + 16_001)).toBe(false);
  expect(await readPosition(store.client, "siem")).toBeNull();
  expect(await writePosition(store.client, "siem", pos, "b", t0 + 16_001)).toBe(true);
  expect(await readPosition(store.client, "siem")).toEqual(pos);
});

test("two appliances on one database: one forwards, each row arrives once; the other takes over when it stops", async () => {
  const receiver = new HttpReceiver();
  receiver.start();
  cleanup.push(() => receiver.stop());
  const dir = tempDir();
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const a = await start(dir, receiver.port);
  const b = await start(dir, receiver.port);
  for (let i = 0; i < 10; i++) await Promise.all([writeRows(a, 2, "a"), writeRows(b, 2, "b")]);
  let head = await headSeq(a.ctx.store.client);
  await waitFor(() => rows(receiver.records).length >= head, 20_000, "rows from both processes");
  await Bun.sleep(500);
  expect(rows(receiver.records).map((r) => r.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));

  await a.close(); // releases the lease if it held it
  await writeRows(b, 6, "after");
  head = await headSeq(b.ctx.store.client);
  await waitFor(() => new Set(rows(receiver.records).map((r) => r.seq)).size >= head, 20_000, "rows after the stop");
  expect([...new Set(rows(receiver.records).map((r) => r.seq))]).toEqual(Array.from({ length: head }, (_, i) => i + 1));
}, 60_000);

test("after a restore, seq goes back: the system.restore row opens a new epoch and no (epoch, seq) names two rows", async () => {
  const receiver = new HttpReceiver();
  receiver.start();
  cleanup.push(() => receiver.stop());
  const dir = tempDir();
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, "cavaridge.db");
  const backup = join(dir, "backup.db");

  const first = await start(dir, receiver.port);
  await writeRows(first, 8, "before_backup");
  const backupHead = await headSeq(first.ctx.store.client);
  await waitFor(() => rows(receiver.records).length >= backupHead, 20_000, "rows before the backup");
  await first.ctx.store.client.execute({ sql: "VACUUM INTO ?", args: [backup] });
  await writeRows(first, 8, "lost_by_restore");
  const oldHead = await headSeq(first.ctx.store.client);
  await waitFor(() => rows(receiver.records).length >= oldHead, 20_000, "rows after the backup");
  const lostPosition = await readPosition(first.ctx.store.client, "siem");
  await first.close();

  // The restore: the backup replaces the database, and a system.restore row is written. Here the sink position
  // is carried over from before the restore, so it names a seq that now holds another row (or none).
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  copyFileSync(backup, dbPath);
  const store = await openStore(`file:${dbPath}`);
  await new AuditLog(store.db, Date.now, silentLogger).record({
    kind: "system",
    action: "system.restore",
    outcome: "ok",
  });
  await store.client.execute({
    sql: "UPDATE audit_sink_positions SET seq = ?, hash = ?, epoch = ? WHERE sink_id = 'siem'",
    args: [lostPosition!.seq, lostPosition!.hash, lostPosition!.epoch],
  });
  store.close();

  const second = await start(dir, receiver.port);
  await writeRows(second, 4, "after_restore");
  const newHead = await headSeq(second.ctx.store.client);
  expect(newHead).toBeLessThan(oldHead + 5);
  const restoreRow = await second.ctx.store.client.execute(
    "SELECT id, seq FROM audit_log WHERE action = 'system.restore'",
  );
  const epoch = String(restoreRow.rows[0]!.id);
  const restoreSeq = Number(restoreRow.rows[0]!.seq);
  expect(restoreSeq).toBe(backupHead + 1);
  await waitFor(
    () => rows(receiver.records).some((r) => r.epoch === epoch && r.seq === newHead),
    20_000,
    "the new epoch",
  );

  const byKey = new Map<string, string>();
  for (const r of rows(receiver.records)) {
    const key = `${r.epoch}/${r.seq}`;
    const seen = byKey.get(key);
    if (seen) expect(r.hash).toBe(seen);
    else byKey.set(key, r.hash);
  }
  // Every row from the restore on arrived in the new epoch, including seqs the old epoch had used for other rows.
  for (let seq = restoreSeq; seq <= newHead; seq++) expect(byKey.has(`${epoch}/${seq}`)).toBe(true);
  expect(byKey.get(`genesis/${restoreSeq}`)).toBeDefined();
  expect(byKey.get(`genesis/${restoreSeq}`)).not.toBe(byKey.get(`${epoch}/${restoreSeq}`));
  expect(rows(receiver.records).find((r) => r.epoch === epoch)!.action).toBe("system.restore");
}, 60_000);
