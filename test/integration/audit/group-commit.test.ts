import { afterEach, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type AuditCommit, AuditLog, verifyAuditChain } from "../../../src/audit/log";
import { silentLogger } from "../../../src/shared/log";
import { openStore, type Store } from "../../../src/store/index";
import { fsyncFile } from "../../../src/store/local-client";
import { applyMigrations } from "../../../src/store/migrate";
import { tempDir } from "../../helpers/appliance";
import { hostileString } from "../../helpers/hostile-strings";

/**
 * The audit log's group commit carries writes as well as standalone rows: several writes share one transaction,
 * each in a savepoint of its own, and every caller is answered only after the COMMIT that holds its rows.
 */

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function fixture(): Promise<{ store: Store; audit: AuditLog; commits: AuditCommit[] }> {
  const dir = tempDir();
  dirs.push(dir);
  const store = await openStore(`file:${join(dir, "group.db")}`);
  stores.push(store);
  await applyMigrations(store.client);
  await store.client.execute("CREATE TABLE t (k TEXT PRIMARY KEY)");
  const audit = new AuditLog(store.db, () => 42, silentLogger);
  const commits: AuditCommit[] = [];
  audit.onCommit((c) => commits.push(c));
  return { store, audit, commits };
}

/** Reads on another pooled connection: it sees only what is committed (WAL). */
async function committedKeys(store: Store): Promise<string[]> {
  return (await store.client.execute("SELECT k FROM t ORDER BY k")).rows.map((r) => String(r.k));
}

describe("group commit of writes", () => {
  test("writes queued together share one commit; a failing one leaves nothing, the others commit", async () => {
    const { store, audit, commits } = await fixture();
    const write = (k: string, fail = false) =>
      audit.commitWithAudit(async (tx, audited) => {
        await tx.run(sql`INSERT INTO t (k) VALUES (${k})`);
        await audited.append({ kind: "system", action: "test.write", outcome: "ok", detail: { k } });
        if (fail) throw new Error(`write ${k} refused`);
        return k;
      });
    const results = await Promise.allSettled([
      write("a"),
      audit.record({ kind: "system", action: "test.read", outcome: "ok" }),
      write("b"),
      write("poison", true),
      write("c"),
      write("b"), // the primary key refuses this one inside its own savepoint
      write("d"),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(await committedKeys(store)).toEqual(["a", "b", "c", "d"]);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.rows.map((r) => [r.action, r.detail])).toEqual([
      ["test.write", '{"k":"a"}'],
      ["test.read", null],
      ["test.write", '{"k":"b"}'],
      ["test.write", '{"k":"c"}'],
      ["test.write", '{"k":"d"}'],
    ]);
    const chain = await verifyAuditChain(store.client);
    expect(chain).toMatchObject({ ok: true, rows: 5 });
  });

  test("a write is answered only after the commit that holds it", async () => {
    const { store, audit } = await fixture();
    const seen: string[][] = [];
    await Promise.all(
      ["x", "y", "z"].map((k) =>
        audit
          .commitWithAudit(async (tx, audited) => {
            await tx.run(sql`INSERT INTO t (k) VALUES (${k})`);
            await audited.append({ kind: "system", action: "test.write", outcome: "ok" });
          })
          .then(async () => seen.push(await committedKeys(store))),
      ),
    );
    // Each caller, as soon as it is answered, already sees every write of its group from another connection.
    expect(seen).toEqual([
      ["x", "y", "z"],
      ["x", "y", "z"],
      ["x", "y", "z"],
    ]);
    expect(Number((await store.client.execute("SELECT count(*) AS n FROM audit_log")).rows[0]!.n)).toBe(3);
  });

  test("a failed write's error row, recorded after its rejection, joins the chain in order", async () => {
    const { store, audit } = await fixture();
    const failing = audit
      .commitWithAudit(async (tx, audited) => {
        await tx.run(sql`INSERT INTO t (k) VALUES ('gone')`);
        await audited.append({ kind: "system", action: "test.write", outcome: "ok" });
        throw new Error("tool error");
      })
      .catch(() => audit.record({ kind: "system", action: "test.write", outcome: "tool_error" }));
    const fine = audit.commitWithAudit(async (tx, audited) => {
      await tx.run(sql`INSERT INTO t (k) VALUES ('kept')`);
      return await audited.append({ kind: "system", action: "test.write", outcome: "ok" });
    });
    await Promise.all([failing, fine]);
    expect(await committedKeys(store)).toEqual(["kept"]);
    const outcomes = (await store.client.execute("SELECT outcome FROM audit_log ORDER BY seq")).rows.map((r) =>
      String(r.outcome),
    );
    expect(outcomes.sort()).toEqual(["ok", "tool_error"]);
    expect((await verifyAuditChain(store.client)).breaks).toEqual([]);
  });

  test("a grouped write is answered only after the WAL sync that follows the group's COMMIT", async () => {
    // The durability argument in ARCHITECTURE.md ("Write group commit", "libSQL settings") rests on this.
    const dir = tempDir();
    dirs.push(dir);
    const held: (() => void)[] = [];
    let gated = false;
    const syncFile = (path: string) =>
      gated ? new Promise<void>((resolve) => held.push(() => resolve(fsyncFile(path)))) : fsyncFile(path);
    const store = await openStore(`file:${join(dir, "gated.db")}`, undefined, { syncFile });
    stores.push(store);
    await applyMigrations(store.client);
    await store.client.execute("CREATE TABLE t (k TEXT PRIMARY KEY)");
    const audit = new AuditLog(store.db, () => 42, silentLogger);
    gated = true;
    let answered = false;
    const write = audit
      .commitWithAudit(async (tx, group) => {
        await tx.run(sql`INSERT INTO t VALUES ('a')`);
        await group.append({ kind: "system", action: "test.write", outcome: "ok" });
      })
      .then(() => (answered = true));
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await committedKeys(store)).toEqual(["a"]); // committed…
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false); // …but not answered before its sync
    for (const release of held.splice(0)) release();
    await write;
    expect(answered).toBe(true);
  });

  test("when the group cannot commit, every write in it is refused and nothing of it remains", async () => {
    const { store, audit } = await fixture();
    // A deferred foreign key fails at COMMIT, after every savepoint was released.
    await store.client.execute("CREATE TABLE parent (id TEXT PRIMARY KEY)");
    await store.client.execute(
      "CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
    );
    const results = await Promise.allSettled([
      audit.commitWithAudit(async (tx, audited) => {
        await tx.run(sql`INSERT INTO t (k) VALUES ('first')`);
        await audited.append({ kind: "system", action: "test.write", outcome: "ok" });
      }),
      audit.commitWithAudit(async (tx, audited) => {
        await tx.run(sql`INSERT INTO child (id, parent) VALUES ('c', 'missing')`);
        await audited.append({ kind: "system", action: "test.write", outcome: "ok" });
      }),
      audit.record({ kind: "system", action: "test.read", outcome: "ok" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(await committedKeys(store)).toEqual([]);
    expect(Number((await store.client.execute("SELECT count(*) AS n FROM audit_log")).rows[0]!.n)).toBe(0);
    // The next group starts clean.
    await audit.record({ kind: "system", action: "test.read", outcome: "ok" });
    expect((await verifyAuditChain(store.client)).rows).toBe(1);
  });

  test("rows queued together commit in one statement and read back exactly as they were hashed", async () => {
    const { store, audit, commits } = await fixture();
    const event = fc.record({
      action: hostileString(),
      outcome: hostileString(),
      requestId: fc.option(hostileString()),
      tool: fc.option(hostileString()),
      tenantId: fc.option(hostileString()),
      ip: fc.option(hostileString()),
      latencyMs: fc.option(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: 0, max: 1e6, noNaN: true })),
      ),
      detail: fc.option(fc.dictionary(hostileString(8), hostileString())),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 2, maxLength: 12 }), async (events) => {
        commits.length = 0;
        await Promise.all(events.map((e) => audit.record({ kind: "mcp", ...e })));
        // One group, so one multi-row statement, and the rows in the order they were queued.
        expect(commits).toHaveLength(1);
        const hashed = commits[0]!.rows;
        expect(hashed).toHaveLength(events.length);
        const stored = (
          await store.client.execute({
            sql: `SELECT * FROM audit_log WHERE id IN (${hashed.map(() => "?").join(", ")}) ORDER BY seq`,
            args: hashed.map((r) => r.id),
          })
        ).rows;
        expect(stored.map((r) => r.id)).toEqual(hashed.map((r) => r.id));
        stored.forEach((r, i) => {
          const h = hashed[i]!;
          expect([r.action, r.outcome, r.request_id, r.tool, r.tenant_id, r.ip, r.detail]).toEqual([
            h.action,
            h.outcome,
            h.requestId,
            h.tool,
            h.tenantId,
            h.ip,
            h.detail,
          ]);
          expect(r.latency_ms === null ? null : Number(r.latency_ms)).toBe(h.latencyMs);
          expect(Number(r.at)).toBe(h.at);
        });
      }),
      { seed: 0x0a0d17, numRuns: 40 },
    );
    const chain = await verifyAuditChain(store.client);
    expect(chain.breaks).toEqual([]);
    expect(chain.ok).toBe(true);
  });

  test("a lone row and a row of a group are stored alike, column for column", async () => {
    const { store, audit } = await fixture();
    const event = {
      kind: "mcp" as const,
      action: "cavalier.create_deal",
      outcome: "ok",
      requestId: "req-1",
      surface: "cavalier",
      tool: "cavalier_create_deal",
      userId: "u-1",
      tenantId: "contosocare",
      clientId: "c-1",
      grantId: "g-1",
      ip: "127.0.0.1",
      latencyMs: 7,
      detail: { name: "Deal 😀" },
      confirmsId: null,
    };
    await audit.record(event); // alone: the single-row statement
    await Promise.all([audit.record(event), audit.record(event)]); // together: the multi-row one
    const rows = (await store.client.execute("SELECT * FROM audit_log ORDER BY seq")).rows.map((r) => {
      const { seq: _seq, id: _id, prev_hash: _prev, hash: _hash, ...rest } = r as unknown as Record<string, unknown>;
      return rest;
    });
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual(rows[0]!);
    expect(rows[2]).toEqual(rows[0]!);
    expect((await verifyAuditChain(store.client)).ok).toBe(true);
  });
});

describe("audit row ids", () => {
  test("ids are time-ordered: in chain order they sort ascending, within a group and across groups", async () => {
    // The unique index on audit_log.id then grows at its right edge (RFC 9562 section 6.10); random ids made every
    // row of a group dirty its own index page, which the group's COMMIT wrote out.
    const { store, audit } = await fixture();
    const event = { kind: "system" as const, action: "test.order", outcome: "ok" };
    for (let group = 0; group < 5; group++) {
      await Promise.all(Array.from({ length: 20 }, () => audit.record(event)));
    }
    await audit.commitWithAudit(async (_tx, audited) => audited.append(event));
    const ids = (await store.client.execute("SELECT id FROM audit_log ORDER BY seq")).rows.map((r) => String(r.id));
    expect(ids).toHaveLength(101);
    expect(new Set(ids).size).toBe(101);
    for (const id of ids)
      expect(id).toMatch(/^aud_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });
});
