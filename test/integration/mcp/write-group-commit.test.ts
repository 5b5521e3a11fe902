import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { type AuditCommit, verifyAuditChain } from "../../../src/audit/log";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, errorText, ok } from "../../helpers/tool-calls";

/**
 * Write tools share the audit log's group commit: concurrent `cavalier_create_deal` calls run in one transaction,
 * each in its own savepoint. The group is held open here by a write that waits on a gate, so the calls under test
 * are queued before it commits and land in one group whatever the machine's speed.
 */

let app: TestAppliance;
let cavalier: Client;
const commits: AuditCommit[] = [];

beforeAll(async () => {
  app = await startTestAppliance();
  const { access_token } = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
  cavalier = await connectSurface(app, "cavalier", access_token);
  app.ctx.audit.onCommit((c) => commits.push(c));
}, 60_000);

afterAll(async () => {
  await cavalier?.close();
  await app?.close();
});

/** Holds the next group transaction open until the returned function is called. */
function holdGroup(): () => Promise<void> {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const held = app.ctx.audit.commitWithAudit(() => gate);
  return async () => {
    open();
    await held;
  };
}

async function waitForQueued(n: number): Promise<void> {
  for (let i = 0; i < 400 && app.ctx.audit.waiting < n; i++) await Bun.sleep(10);
  expect(app.ctx.audit.waiting).toBeGreaterThanOrEqual(n);
}

describe("write tools commit in groups", () => {
  test("concurrent create_deal calls share a commit; one failing mid-group leaves only its error row", async () => {
    const run = randomUUID().slice(0, 8);
    const deal = (name: string, key = randomUUID()) => ({ tenant_id: "contosocare", name, idempotency_key: key });
    // Warm the grant and its last-used stamp, so no call below waits on a write of its own before the tool runs.
    ok(await call(cavalier, "cavalier_create_deal", deal(`Warm-up ${run}`)));
    const poisoned = `Poisoned ${run}`;
    await app.ctx.store.client.execute(
      `CREATE TRIGGER refuse_poisoned_row BEFORE INSERT ON audit_log
       WHEN NEW.action = 'cavalier.create_deal' AND NEW.outcome = 'ok' AND NEW.detail LIKE '%${poisoned}%'
       BEGIN SELECT RAISE(ABORT, 'audit row refused by the test'); END`,
    );
    try {
      const shared = deal(`Same key ${run}`);
      const release = holdGroup();
      const calls = [
        call(cavalier, "cavalier_create_deal", deal(`First ${run}`)),
        call(cavalier, "cavalier_create_deal", shared),
        call(cavalier, "cavalier_create_deal", deal(poisoned)),
        call(cavalier, "cavalier_create_deal", shared),
        call(cavalier, "cavalier_create_deal", deal(`Last ${run}`)),
      ];
      await waitForQueued(calls.length);
      commits.length = 0;
      await release();
      const [first, same1, bad, same2, last] = await Promise.all(calls);

      expect(errorText(bad!)).toContain("failed unexpectedly");
      type Made = { deal: { id: string }; replayed: boolean };
      const made = [first, same1, same2, last].map((r) => ok<Made>(r!));
      // Two requests with one idempotency key in one group: the second sees the first's deal and replays it.
      expect(made[1]!.deal.id).toMatch(/^dl_/);
      expect(made[1]!.deal.id).toBe(made[2]!.deal.id);
      expect([made[1]!.replayed, made[2]!.replayed].sort()).toEqual([false, true]);

      const names = (
        await app.ctx.store.client.execute({
          sql: "SELECT name FROM cavalier_deals WHERE name LIKE ? ORDER BY name",
          args: [`% ${run}`],
        })
      ).rows.map((r) => String(r.name));
      expect(names).toEqual([`First ${run}`, `Last ${run}`, `Same key ${run}`, `Warm-up ${run}`]);

      // The four ok rows went in with the held write, in one commit.
      const okRows = commits.flatMap((c) =>
        c.rows.filter((r) => r.action === "cavalier.create_deal" && r.outcome === "ok").map(() => c),
      );
      expect(okRows).toHaveLength(4);
      expect(new Set(okRows).size).toBe(1);

      await app.ctx.audit.flush();
      const poisonRows = (
        await app.ctx.store.client.execute({
          sql: "SELECT outcome FROM audit_log WHERE action = 'cavalier.create_deal' AND detail LIKE ?",
          args: [`%${poisoned}%`],
        })
      ).rows.map((r) => String(r.outcome));
      expect(poisonRows).toEqual(["failed"]);
    } finally {
      await app.ctx.store.client.execute("DROP TRIGGER refuse_poisoned_row");
    }
    expect((await verifyAuditChain(app.ctx.store.client)).breaks).toEqual([]);
  });
});
