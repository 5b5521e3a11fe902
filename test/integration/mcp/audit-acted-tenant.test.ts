import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { desc, eq } from "drizzle-orm";
import { auditLog } from "../../../src/store/schema/audit";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";

/**
 * Regression: tools that take an object id (not a tenant_id) used to audit the caller's home tenant.
 * The audit row must name the tenant whose data was acted on, taken from TenantScope's admitted rows.
 */
let app: TestAppliance;
let client: Client;

beforeAll(async () => {
  app = await startTestAppliance();
  const tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
  client = new Client({ name: "acted-tenant", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/cavalier`), {
      requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } },
    }),
  );
}, 60_000);

afterAll(async () => {
  await client?.close();
  await app?.close();
});

async function lastRow(tool: string) {
  const rows = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.tool, tool))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return rows[0]!;
}

test("a get by id records the object's tenant, not the caller's home tenant", async () => {
  const result = await client.callTool({ name: "cavalier_get_quote", arguments: { quote_id: "q_demo_0042_v1" } });
  expect(result.isError).toBeFalsy();
  const row = await lastRow("cavalier_get_quote");
  expect(row.outcome).toBe("ok");
  expect(row.userId).not.toBeNull();
  expect(row.tenantId).toBe("fabrikam-law");
});

test("a list across the caller's tenants keeps the named or home tenant", async () => {
  const result = await client.callTool({ name: "cavalier_list_quotes", arguments: {} });
  expect(result.isError).toBeFalsy();
  expect((await lastRow("cavalier_list_quotes")).tenantId).toBe("harbor-it");
});
