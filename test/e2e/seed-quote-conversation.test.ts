import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { auditLog } from "../../src/store/schema/audit";
import { quotes } from "../../src/store/schema/cavalier";
import { startTestAppliance, type TestAppliance } from "../helpers/appliance";
import { obtainTokens } from "../helpers/oauth";

/**
 * The product page's own check, word for word: "Draft a quote for ContosoCare with one Operations Pro seat".
 * The assistant calls cavalier_create_quote (title cavalier.create_quote); the server answers
 * confirmation_required with the proposed quote (tenant, line, unit price, recurring monthly total, tax);
 * the assistant re-invokes with confirmed: true; a draft quote exists; the audit log shows both calls.
 * Everything real: the appliance on a port, the demo seed it ran at start, OAuth tokens, the MCP SDK client.
 */

let app: TestAppliance;
let client: Client;

beforeAll(async () => {
  app = await startTestAppliance();
  const tokens = await obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier" });
  client = new Client({ name: "seed-check", version: "1.0.0" });
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

type Money = { amount_minor: number; currency: string; formatted: string };
type Proposal = {
  tenant: { id: string; name: string; currency: string; tax_rate_bps: number };
  lines: {
    sku: string;
    description: string;
    quantity: number;
    unit_price: Money;
    billing: string;
    line_total: Money;
  }[];
  recurring_monthly_total: Money;
  one_time_total: Money;
  tax: Money;
  total: Money;
};

test("Draft a quote for ContosoCare with one Operations Pro seat", async () => {
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name === "cavalier_create_quote");
  expect(tool?.title).toBe("Create quote");
  expect(tool?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });

  // What an assistant sends for that sentence: the tenant and product as the user named them.
  const args = {
    tenant_id: "ContosoCare",
    lines: [{ product: "Operations Pro", quantity: 1 }],
    idempotency_key: randomUUID(),
  };
  const first = await client.callTool({ name: "cavalier_create_quote", arguments: args });
  expect(first.isError).toBeFalsy();
  const envelope = first.structuredContent as {
    status: string;
    summary: string;
    proposal: Proposal;
    confirmation_token: string;
  };
  expect(envelope.status).toBe("confirmation_required");
  const p = envelope.proposal;
  expect(p.tenant).toEqual({ id: "contosocare", name: "ContosoCare Clinic", currency: "USD", tax_rate_bps: 0 });
  expect(p.lines).toHaveLength(1);
  expect(p.lines[0]).toMatchObject({
    sku: "OPS-PRO-SEAT",
    description: "Operations Pro",
    quantity: 1,
    billing: "monthly",
  });
  expect(p.lines[0]!.unit_price).toEqual({ amount_minor: 6500, currency: "USD", formatted: "$65.00" });
  expect(p.recurring_monthly_total).toEqual({ amount_minor: 6500, currency: "USD", formatted: "$65.00" });
  expect(p.one_time_total.amount_minor).toBe(0);
  expect(p.tax).toEqual({ amount_minor: 0, currency: "USD", formatted: "$0.00" });
  expect(p.total.amount_minor).toBe(6500);
  // The human-readable summary names the same facts, for clients that only show text.
  for (const fact of [
    "ContosoCare Clinic",
    "1 × Operations Pro (OPS-PRO-SEAT) at $65.00 per seat per month",
    "Recurring monthly total",
    "Tax (0%): $0.00",
  ]) {
    expect(envelope.summary).toContain(fact);
  }
  // Nothing is written before the confirmation.
  const before = await app.ctx.store.db.select().from(quotes).where(eq(quotes.idempotencyKey, args.idempotency_key));
  expect(before).toHaveLength(0);

  // The assistant re-invokes with confirmed: true (same arguments).
  const second = await client.callTool({ name: "cavalier_create_quote", arguments: { ...args, confirmed: true } });
  expect(second.isError).toBeFalsy();
  const created = second.structuredContent as {
    quote: {
      id: string;
      status: string;
      reference: string;
      tenant: { id: string };
      totals: { recurring_monthly: { total: Money } };
    };
    replayed: boolean;
  };
  expect(created.replayed).toBe(false);
  expect(created.quote.status).toBe("draft");
  expect(created.quote.tenant.id).toBe("contosocare");
  expect(created.quote.totals.recurring_monthly.total.amount_minor).toBe(6500);

  // A draft quote exists.
  const [row] = await app.ctx.store.db.select().from(quotes).where(eq(quotes.id, created.quote.id));
  expect(row).toMatchObject({
    tenantId: "contosocare",
    status: "draft",
    version: 1,
    recurringMonthlySubtotalMinor: 6500,
    taxMinor: 0,
    currency: "USD",
  });

  // The audit log shows both calls, the second confirming the first.
  const rows = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.kind, "mcp"), eq(auditLog.tool, "cavalier_create_quote")))
    .orderBy(asc(auditLog.seq));
  expect(rows.map((r) => [r.action, r.outcome])).toEqual([
    ["cavalier.create_quote", "confirmation_required"],
    ["cavalier.create_quote", "confirmed"],
  ]);
  expect(rows[1]!.confirmsId).toBe(rows[0]!.id);
  expect(rows.every((r) => r.userId === row!.createdBy && r.surface === "cavalier")).toBe(true);
  // "ContosoCare" as typed is recorded as the tenant id, so ContosoCare's and Harbor's audit views both show it.
  expect(rows.map((r) => r.tenantId)).toEqual(["contosocare", "contosocare"]);

  // The quote reads back through the read tools.
  const got = await client.callTool({ name: "cavalier_get_quote", arguments: { quote_id: created.quote.id } });
  expect((got.structuredContent as { quote: { reference: string } }).quote.reference).toBe(created.quote.reference);
}, 30_000);
