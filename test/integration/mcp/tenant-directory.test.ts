import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Database from "libsql";
import { TenantDirectory } from "../../../src/mcp/tenant-scope";
import type { DbLike } from "../../../src/store/index";
import { resolveTenant } from "../../../src/tenancy/resolve";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";

/**
 * The tenant directory behind every call's TenantScope reuses the tenants table only while the database's data
 * version stands still. It used to reuse it for a second whatever happened, so a client tenant disabled by an
 * administrator (or by another appliance process) could still be acted on for up to a second.
 */
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

const mspAdmin = { userId: "u-test", role: "msp_admin" as const, tenantId: "harbor-it" };
const nextTurn = () => new Promise((r) => setImmediate(r));

/** The store's drizzle handle, counting the reads of the tenants table that go through it. */
function countingDb(): { db: DbLike; reads: () => number } {
  let reads = 0;
  const db = new Proxy(app.ctx.store.db, {
    get(target, prop, receiver) {
      if (prop === "select") {
        return (...args: unknown[]) => {
          reads++;
          return (target.select as (...a: unknown[]) => unknown)(...args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  }) as unknown as DbLike;
  return { db, reads: () => reads };
}

/** Another connection, as another appliance process or `cavaridge` command would write. */
function writeElsewhere(sql: string, ...args: (string | number)[]): void {
  const other = new Database(app.dbPath, { timeout: 5000 });
  try {
    other.prepare(sql).run(...args);
  } finally {
    other.close();
  }
}

function setNameAndTax(tenantId: string, name: string, taxRateBps: number): void {
  writeElsewhere("UPDATE tenants SET name = ?, tax_rate_bps = ? WHERE id = ?", name, taxRateBps, tenantId);
}

function setDisabled(tenantId: string, disabled: boolean): void {
  writeElsewhere("UPDATE tenants SET disabled = ? WHERE id = ?", disabled ? 1 : 0, tenantId);
}

describe("tenant directory", () => {
  test("a client tenant disabled by another connection is out of scope from the very next call", async () => {
    // An hour of TTL: only the change signal can make the directory read the table again.
    const directory = new TenantDirectory(app.ctx.store.db, 3_600_000, undefined, () => app.ctx.store.changeSignal());
    expect((await directory.scopeFor(mspAdmin)).tenantIds).toContain("contosocare");
    await nextTurn();
    setDisabled("contosocare", true);
    try {
      await nextTurn();
      expect((await directory.scopeFor(mspAdmin)).tenantIds).not.toContain("contosocare");
    } finally {
      setDisabled("contosocare", false);
    }
    await nextTurn();
    expect((await directory.scopeFor(mspAdmin)).tenantIds).toContain("contosocare");
  });

  test("while nothing commits, the table is read once", async () => {
    const { db, reads } = countingDb();
    const directory = new TenantDirectory(db, 0, undefined, () => app.ctx.store.changeSignal());
    for (let i = 0; i < 5; i++) {
      await directory.scopeFor(mspAdmin);
      await nextTurn();
    }
    expect(reads()).toBe(1);
  });

  test("without a change signal (a libSQL server) the rows are reused for the TTL", async () => {
    const { db, reads } = countingDb();
    let now = 0;
    const directory = new TenantDirectory(db, 1000, () => now);
    await directory.scopeFor(mspAdmin);
    now = 999;
    await directory.scopeFor(mspAdmin);
    expect(reads()).toBe(1);
    now = 1000;
    await directory.scopeFor(mspAdmin);
    expect(reads()).toBe(2);
  });

  test("a tool matches the tenant it names against the admitting rows, then reads that one tenant as it is now", async () => {
    const directory = new TenantDirectory(app.ctx.store.db, 3_600_000, undefined, () => app.ctx.store.changeSignal());
    const scope = await directory.scopeFor(mspAdmin);
    const before = await resolveTenant(app.ctx.store.db, scope, "contosocare");
    // Changed elsewhere after this call was admitted, in ways that leave it in scope.
    setNameAndTax("contosocare", "Contoso Moved On", 4321);
    try {
      // Named as the call saw it; answered with the row as it is now.
      const resolved = await resolveTenant(app.ctx.store.db, scope, before.name);
      expect(resolved).toMatchObject({ id: "contosocare", name: "Contoso Moved On", taxRateBps: 4321 });
      expect(scope.actedOn).toBe("contosocare");
    } finally {
      setNameAndTax("contosocare", before.name, before.taxRateBps);
    }
  });

  test("a tenant disabled after the call was admitted is refused by the write that names it", async () => {
    const directory = new TenantDirectory(app.ctx.store.db, 3_600_000, undefined, () => app.ctx.store.changeSignal());
    const scope = await directory.scopeFor(mspAdmin);
    expect(scope.snapshot?.some((t) => t.id === "contosocare" && !t.disabled)).toBe(true);
    setDisabled("contosocare", true);
    try {
      // A write resolves inside its own transaction: it sees the tenant as it is, not as it was at admission.
      const inWrite = app.ctx.store.db.transaction(async (tx) => await resolveTenant(tx, scope, "contosocare"));
      await expect(inWrite).rejects.toThrow("not found or not permitted");
      await expect(resolveTenant(app.ctx.store.db, scope, "contosocare")).rejects.toThrow("not found or not permitted");
      expect(scope.actedOn).toBeNull();
    } finally {
      setDisabled("contosocare", false);
    }
  });

  test("a tenant renamed by another connection resolves by its new name on the very next call", async () => {
    const directory = new TenantDirectory(app.ctx.store.db, 3_600_000, undefined, () => app.ctx.store.changeSignal());
    const before = await resolveTenant(app.ctx.store.db, await directory.scopeFor(mspAdmin), "contosocare");
    await nextTurn();
    setNameAndTax("contosocare", "Contoso Renamed", 1234);
    try {
      await nextTurn();
      const scope = await directory.scopeFor(mspAdmin);
      const renamed = await resolveTenant(app.ctx.store.db, scope, "contoso renamed");
      expect(renamed).toMatchObject({ id: "contosocare", name: "Contoso Renamed", taxRateBps: 1234 });
      await expect(resolveTenant(app.ctx.store.db, scope, before.name)).rejects.toThrow("not found or not permitted");
    } finally {
      setNameAndTax("contosocare", before.name, before.taxRateBps);
    }
  });

  test("with a TTL (a libSQL server) the scope carries no rows, so resolution reads the table", async () => {
    const { db, reads } = countingDb();
    const directory = new TenantDirectory(db, 1000, () => 0);
    const scope = await directory.scopeFor(mspAdmin);
    expect(scope.snapshot).toBeUndefined();
    expect(reads()).toBe(1);
    expect((await resolveTenant(db, scope, "contosocare")).id).toBe("contosocare");
    expect(reads()).toBe(2);
  });
});
