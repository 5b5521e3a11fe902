import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ImportError } from "../../../src/import/errors";
import { runImport } from "../../../src/import/service";
import type { Store } from "../../../src/store/index";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";

/**
 * The plan is computed from rows read before the write transaction. When another writer inserts the same natural
 * key in between, the import's upsert trips the unique (tenant, sku) index, the whole transaction rolls back
 * (the other writer's row stays, no row of the file is written), and the caller gets a coded `conflict` to retry,
 * never a 500 nor a duplicate product.
 */
let app: TestAppliance;
beforeAll(async () => {
  app = await startTestAppliance();
});
afterAll(async () => {
  await app.close();
});

const CSV =
  "sku,name,product_class,billing,unit_price\nRACE-1,Raced product,service,monthly,10\nRACE-2,Other,service,monthly,20\n";

describe("a write that races the import", () => {
  test("rolls the whole import back and answers conflict", async () => {
    const { store } = app.ctx;
    let raced = false;
    // The real store, with the other writer's insert slipped in just before the import's transaction opens.
    const racing: Store = {
      ...store,
      db: new Proxy(store.db, {
        get(target, prop, receiver) {
          if (prop !== "transaction") return Reflect.get(target, prop, receiver);
          return async (...args: Parameters<typeof target.transaction>) => {
            raced = true;
            await store.client.execute(
              "INSERT INTO cavalier_products (id, tenant_id, sku, name, description, product_class, billing_type, unit, taxable, active, created_at) VALUES ('prod_other', 'harbor-it', 'RACE-1', 'Theirs', '', 'service', 'one_time', 'each', 1, 1, 0)",
            );
            return await target.transaction(...args);
          };
        },
      }),
    };
    const attempt = runImport(
      { store: racing, audit: app.ctx.audit, clock: app.ctx.clock, log: app.ctx.log },
      { type: "cli", osUser: "test" },
      {
        kind: "products",
        source: { type: "bytes", bytes: new TextEncoder().encode(CSV) },
        tenant: "harbor-it",
        dryRun: false,
      },
    );
    const err = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(raced).toBe(true);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).code).toBe("conflict");
    const rows = await store.client.execute(
      "SELECT id, name FROM cavalier_products WHERE sku LIKE 'RACE-%' ORDER BY sku",
    );
    expect(rows.rows.map((r) => [r.id, r.name])).toEqual([["prod_other", "Theirs"]]);
    await app.ctx.audit.flush();
    const audit = await store.client.execute("SELECT outcome FROM audit_log WHERE action = 'import.products'");
    expect(audit.rows.map((r) => r.outcome)).toEqual(["conflict"]);
  });
});
