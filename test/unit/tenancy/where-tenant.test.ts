import { describe, expect, test } from "bun:test";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import { type Principal, TenantScope } from "../../../src/tenancy/scope";

const rows = sqliteTable("rows", { id: text("id").primaryKey(), tenantId: text("tenant_id").notNull() });

async function store() {
  const client = createClient({ url: ":memory:" });
  await client.execute("CREATE TABLE rows (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL)");
  await client.execute("INSERT INTO rows VALUES ('a1', 'contosocare'), ('a2', 'contosocare'), ('b1', 'otter-client')");
  return { client, db: drizzle(client) };
}

const principal: Principal = { userId: "u1", role: "technician", tenantId: "harbor-it" };

describe("TenantScope.whereTenant", () => {
  test("keeps one tenant's rows when that tenant is in scope", async () => {
    const { client, db } = await store();
    const scope = new TenantScope(principal, ["harbor-it", "contosocare"]);
    const got = await db.select().from(rows).where(scope.whereTenant(rows.tenantId, "contosocare"));
    expect(got.map((r) => r.id).sort()).toEqual(["a1", "a2"]);
    client.close();
  });

  test("matches nothing for a tenant outside the scope, even though its rows exist", async () => {
    const { client, db } = await store();
    const scope = new TenantScope(principal, ["harbor-it", "contosocare"]);
    expect(await db.select().from(rows).where(scope.whereTenant(rows.tenantId, "otter-client"))).toEqual([]);
    expect(
      await db.select().from(rows).where(new TenantScope(principal, []).whereTenant(rows.tenantId, "contosocare")),
    ).toEqual([]);
    client.close();
  });
});
