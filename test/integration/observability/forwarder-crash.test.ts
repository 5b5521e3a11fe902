import { afterAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AuditLog } from "../../../src/audit/log";
import { silentLogger } from "../../../src/shared/log";
import { openStore, type Store } from "../../../src/store/index";
import { headSeq, readPosition } from "../../../src/observability/stream/store";
import { freePort, tempDir, testConfigToml } from "../../helpers/appliance";
import { HttpReceiver, waitFor, type ReceivedRecord } from "../../helpers/audit-receivers";

/**
 * SIGKILL of the appliance process while it forwards: after a restart the forwarder resumes from the position the
 * store holds (once the dead process's lease lapses), so nothing is lost and nothing before that position is resent.
 */

const root = resolve(import.meta.dir, "../../..");
const dir = tempDir();
const receiver = new HttpReceiver();
let store: Store | null = null;
let child: ReturnType<typeof Bun.spawn> | null = null;

afterAll(async () => {
  child?.kill(9);
  store?.close();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(cfg: string, publicPort: number): Promise<ReturnType<typeof Bun.spawn>> {
  const proc = Bun.spawn([process.execPath, join(root, "src/main.ts"), "serve", "--config", cfg], {
    cwd: dir,
    env: { ...process.env, CAVARIDGE_DEMO_SEED: "off" },
    stdout: "ignore",
    stderr: "ignore",
  });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${publicPort}/readyz`).catch(() => null))?.status === 200,
    30_000,
    "the appliance to be ready",
  );
  return proc;
}

test("SIGKILL while forwarding; the restarted process resumes from the stored position", async () => {
  receiver.start();
  receiver.delayMs = 60; // slow enough that the kill lands mid-stream
  const dbPath = join(dir, "cavaridge.db");
  const publicPort = await freePort();
  const adminPort = await freePort();
  const cfg = join(dir, "config.toml");
  writeFileSync(
    cfg,
    testConfigToml({
      publicPort,
      adminPort,
      dbPath,
      extra: `[audit]\n[[audit.sinks]]\ntype = "http"\nname = "siem"\nurl = "http://127.0.0.1:${receiver.port}/"\nbatch_size = 4\n`,
    }),
  );
  child = await serve(cfg, publicPort);

  // Rows committed by another process on the same database are forwarded too.
  store = await openStore(`file:${dbPath}`);
  const audit = new AuditLog(store.db, Date.now, silentLogger);
  await Promise.all(
    Array.from({ length: 120 }, (_, i) =>
      audit.record({ kind: "system", action: "test.row", outcome: "ok", detail: { i } }),
    ),
  );
  const head = await headSeq(store.client);

  await waitFor(() => receiver.records.length >= 30, 30_000, "forwarding to be under way");
  child.kill(9);
  await child.exited;
  await Bun.sleep(300); // a batch the dead process had in flight may still land; it is a duplicate at most
  const stored = await readPosition(store.client, "siem");
  expect(stored).not.toBeNull();
  expect(stored!.seq).toBeGreaterThan(0);
  expect(stored!.seq).toBeLessThan(head);
  const before = receiver.records.length;

  receiver.delayMs = 0;
  child = await serve(cfg, publicPort);
  await waitFor(
    () => new Set(receiver.records.filter((r) => r.type === "audit").map((r) => r.seq)).size >= head,
    40_000,
    "every row after the restart",
  );
  const resumed = receiver.records.slice(before).filter((r) => r.type === "audit");
  expect(resumed[0]!.seq).toBe(stored!.seq + 1);
  // Nothing lost; every repeat is the same row.
  const bySeq = new Map<number, ReceivedRecord>();
  for (const r of receiver.records.filter((x) => x.type === "audit")) {
    const seen = bySeq.get(r.seq);
    if (seen) expect(r.hash).toBe(seen.hash);
    else bySeq.set(r.seq, r);
  }
  expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  child.kill("SIGTERM");
  await child.exited;
  child = null;
}, 120_000);
