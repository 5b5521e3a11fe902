import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { tenants } from "../../../src/store/schema/tenancy";
import { listTenants } from "../../../src/surfaces/cavalier/catalog";
import { TenantScope } from "../../../src/tenancy/scope";
import { openStoreFixture, type StoreFixture } from "../aegis/fixture";

/**
 * listTenants' first page (no search, no cursor) runs a statement prepared once per database handle, with the scope
 * bound as a JSON array; every other page is built per call. Both must apply the same scope and filters.
 */
let fx: StoreFixture;
beforeAll(async () => {
  fx = await openStoreFixture();
});
afterAll(() => fx.close());

const harbor = () => fx.scopeFor("admin@harbor-it.example", "msp_admin", "harbor-it");
const ids = (page: { items: { id: string }[] }) => page.items.map((t) => t.id);

describe("listTenants, first page from the prepared statement", () => {
  test("matches the built query's rows for the same scope, page by page", async () => {
    const scope = await harbor();
    const first = await listTenants(fx.store.db, scope, { limit: 2 });
    expect(ids(first)).toEqual(["contosocare", "fabrikam-law"]);
    const rest = await listTenants(fx.store.db, scope, { limit: 2, cursor: first.nextCursor! });
    // A search that every tenant of the scope matches goes through the builder: same rows, same order.
    const searched = await listTenants(fx.store.db, scope, { query: "-" });
    const all = await listTenants(fx.store.db, scope, {});
    expect([...ids(first), ...ids(rest)]).toEqual(ids(all));
    expect(ids(all)).toEqual(["contosocare", "fabrikam-law", "harbor-it", "tailspin-logistics"]);
    expect(ids(searched).every((id) => ids(all).includes(id))).toBe(true);
  });

  test("keeps to the scope: another MSP, an empty scope, ids that are no tenant", async () => {
    const otter = await fx.scopeFor("admin@otter-msp.example", "msp_admin", "otter-msp");
    expect(ids(await listTenants(fx.store.db, otter, {})).sort()).toEqual(["otter-client", "otter-msp"]);
    const principal = { userId: "usr_x", role: "msp_admin" as const, tenantId: "harbor-it" };
    expect(ids(await listTenants(fx.store.db, new TenantScope(principal, []), {}))).toEqual([]);
    const odd = new TenantScope(principal, ['contosocare", "otter-msp', "otter-client' OR 1=1 --"]);
    expect(ids(await listTenants(fx.store.db, odd, {}))).toEqual([]);
  });

  test("leaves out a disabled tenant, seen on the next call", async () => {
    const scope = await harbor();
    await fx.store.db.update(tenants).set({ disabled: true }).where(eq(tenants.id, "fabrikam-law"));
    try {
      expect(ids(await listTenants(fx.store.db, scope, {}))).toEqual([
        "contosocare",
        "harbor-it",
        "tailspin-logistics",
      ]);
    } finally {
      await fx.store.db.update(tenants).set({ disabled: false }).where(eq(tenants.id, "fabrikam-law"));
    }
    expect(ids(await listTenants(fx.store.db, scope, {}))).toContain("fabrikam-law");
  });

  test("runs on a transaction handle too (each handle has its own prepared statement)", async () => {
    const scope = await harbor();
    const inTx = await fx.store.db.transaction(async (tx) => ids(await listTenants(tx, scope, {})));
    expect(inTx).toEqual(ids(await listTenants(fx.store.db, scope, {})));
  });
});
