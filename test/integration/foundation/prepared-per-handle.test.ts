import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { preparedPerHandle } from "../../../src/store/prepared";
import { tenants } from "../../../src/store/schema/tenancy";
import { openStoreFixture, type StoreFixture } from "../aegis/fixture";

let fx: StoreFixture;
beforeAll(async () => {
  fx = await openStoreFixture();
});
afterAll(() => fx.close());

const tenantName = preparedPerHandle((db) =>
  db
    .select({ name: tenants.name })
    .from(tenants)
    .where(eq(tenants.id, sql.placeholder("id")))
    .prepare(),
);

describe("preparedPerHandle", () => {
  test("one prepared query per handle, reused on that handle", () => {
    expect(tenantName(fx.store.db)).toBe(tenantName(fx.store.db));
  });

  test("a transaction gets its own, which runs inside the transaction", async () => {
    const db = fx.store.db;
    const before = (await tenantName(db).execute({ id: "contosocare" }))[0]!.name;
    let inside: string | undefined;
    await db
      .transaction(async (tx) => {
        expect(tenantName(tx)).not.toBe(tenantName(db));
        await tx.update(tenants).set({ name: "Renamed in tx" }).where(eq(tenants.id, "contosocare"));
        // Run on the store's own handle, the query would not see the uncommitted rename (or wait on the lock).
        inside = (await tenantName(tx).execute({ id: "contosocare" }))[0]!.name;
        tx.rollback();
      })
      .catch(() => {});
    expect(inside).toBe("Renamed in tx");
    expect((await tenantName(db).execute({ id: "contosocare" }))[0]!.name).toBe(before);
  });
});
