import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { auditLog } from "../../../src/store/schema/audit";
import { deals, quotes } from "../../../src/store/schema/cavalier";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { obtainTokens } from "../../helpers/oauth";
import { call, confirmed, connectSurface, errorText, HUMAN_TITLE, ok, rawToolCall } from "../../helpers/tool-calls";

/**
 * Every cavalier tool over real HTTP with real OAuth tokens and the MCP SDK client, against the demo data the
 * appliance seeded at start: happy path, bad input, another MSP's user naming a Harbor object, missing scope.
 */

let app: TestAppliance;
let harbor: Client; // tech@harbor-it: cavalier:read + cavalier:write
let otter: Client; // admin@otter-msp: another MSP
let readOnlyToken: string; // tech@harbor-it with cavalier:read only
let writeOnlyToken: string; // tech@harbor-it with cavalier:write only
const YEAR = new Date().getUTCFullYear();
const NOT_PERMITTED = "not found or not permitted";

const connect = (token: string): Promise<Client> => connectSurface(app, "cavalier", token);

beforeAll(async () => {
  app = await startTestAppliance();
  const [h, o, r, w] = await Promise.all([
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier" }),
    obtainTokens(app, { email: "admin@otter-msp.example", surface: "cavalier" }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier", scopes: ["cavalier:read"] }),
    obtainTokens(app, { email: "tech@harbor-it.example", surface: "cavalier", scopes: ["cavalier:write"] }),
  ]);
  harbor = await connect(h.access_token);
  otter = await connect(o.access_token);
  readOnlyToken = r.access_token;
  writeOnlyToken = w.access_token;
}, 60_000);

afterAll(async () => {
  await harbor?.close();
  await otter?.close();
  await app?.close();
});

const rawCall = (token: string, name: string, args: Record<string, unknown>): Promise<Response> =>
  rawToolCall(app, "cavalier", token, name, args);

async function expectMissingScope(token: string, name: string, args: Record<string, unknown>, scope: string) {
  const res = await rawCall(token, name, args);
  expect(res.status).toBe(403);
  const challenge = res.headers.get("www-authenticate") ?? "";
  expect(challenge).toContain('error="insufficient_scope"');
  expect(challenge).toContain(scope);
  await res.body?.cancel();
}

async function lastAuditOutcome(tool: string): Promise<string | undefined> {
  const [row] = await app.ctx.store.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.kind, "mcp"), eq(auditLog.tool, tool)))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return row?.outcome;
}

type Money = { amount_minor: number; currency: string; formatted: string };
type Page<T> = { items: T[]; next_cursor: string | null };

describe("conventions", () => {
  test("every cavalier tool: title in words, 'Use this when' description, all hints, described params, output schema; lists page; creates take idempotency keys", async () => {
    const { tools } = await harbor.listTools();
    expect(tools.length).toBe(14);
    for (const t of tools) {
      expect(t.name).toMatch(/^cavalier_[a-z_]+$/);
      expect(t.title).toMatch(HUMAN_TITLE);
      expect(t.annotations?.title).toBe(t.title);
      expect(t.description).toStartWith("Use this when");
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
        expect(typeof t.annotations?.[hint]).toBe("boolean");
      expect(t.outputSchema).toBeDefined();
      for (const [name, p] of Object.entries(t.inputSchema.properties ?? {}))
        expect(`${name}: ${(p as { description?: string }).description ?? ""}`.length).toBeGreaterThan(
          name.length + 10,
        );
      if (t.name.startsWith("cavalier_list_") || t.name === "cavalier_search_products") {
        expect(Object.keys(t.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["cursor", "limit"]));
      }
      if (t.name.startsWith("cavalier_create_") || t.name === "cavalier_revise_quote")
        expect(t.inputSchema.required).toContain("idempotency_key");
    }
    expect(tools.some((t) => /delete/.test(t.name))).toBe(false);
  });

  test("a full page of quotes stays well under 150,000 characters", async () => {
    const res = await call(harbor, "cavalier_list_quotes", { limit: 100 });
    expect(JSON.stringify(res).length).toBeLessThan(150_000);
  });
});

describe("cavalier_list_tenants", () => {
  test("lists the caller's MSP and its clients, by name", async () => {
    const page = ok<Page<{ id: string; currency: string; tax_rate_bps: number }>>(
      await call(harbor, "cavalier_list_tenants", {}),
    );
    expect(page.items.map((t) => t.id)).toEqual(["contosocare", "fabrikam-law", "harbor-it", "tailspin-logistics"]);
    expect(page.items.find((t) => t.id === "tailspin-logistics")).toMatchObject({
      currency: "GBP",
      tax_rate_bps: 2000,
    });
    const two = ok<Page<{ id: string }>>(await call(harbor, "cavalier_list_tenants", { limit: 2 }));
    const rest = ok<Page<{ id: string }>>(
      await call(harbor, "cavalier_list_tenants", { limit: 2, cursor: two.next_cursor }),
    );
    expect([...two.items, ...rest.items].map((t) => t.id)).toEqual(page.items.map((t) => t.id));
  });
  test("bad input names the parameter", async () => {
    expect(errorText(await call(harbor, "cavalier_list_tenants", { limit: 0 }))).toContain("limit");
    expect(errorText(await call(harbor, "cavalier_list_tenants", { cursor: "not-a-cursor" }))).toContain("cursor");
  });
  test("another MSP sees only its own tenants", async () => {
    const page = ok<Page<{ id: string }>>(await call(otter, "cavalier_list_tenants", {}));
    expect(page.items.map((t) => t.id).sort()).toEqual(["otter-client", "otter-msp"]);
  });
  test("missing scope: a write-only token cannot read", async () => {
    await expectMissingScope(writeOnlyToken, "cavalier_list_tenants", {}, "cavalier:read");
  });
});

describe("cavalier_search_products", () => {
  test("finds seats with USD and GBP prices; pages with a cursor", async () => {
    const page = ok<
      Page<{ sku: string; billing: string; prices: { currency: string; unit_price: Money; label: string }[] }>
    >(await call(harbor, "cavalier_search_products", { query: "operations", billing_type: "recurring" }));
    expect(page.items.map((p) => p.sku)).toEqual(["OPS-ESS-SEAT", "OPS-PRO-SEAT"]);
    const pro = page.items[1]!;
    expect(pro.billing).toBe("monthly");
    expect(pro.prices.map((p) => p.label)).toEqual(["£52.00 per seat per month", "$65.00 per seat per month"]);
    const first = ok<Page<{ sku: string }>>(await call(harbor, "cavalier_search_products", { limit: 3 }));
    expect(first.next_cursor).toBeString();
    const second = ok<Page<{ sku: string }>>(
      await call(harbor, "cavalier_search_products", { limit: 3, cursor: first.next_cursor }),
    );
    expect(second.items[0]!.sku > first.items[2]!.sku).toBe(true);
  });
  test("a client tenant's staff read their MSP's catalog", async () => {
    const staff = await obtainTokens(app, { email: "staff@contosocare.example", surface: "cavalier" });
    const c = await connect(staff.access_token);
    const page = ok<Page<{ sku: string }>>(await call(c, "cavalier_search_products", { query: "OPS-PRO" }));
    expect(page.items.map((p) => p.sku)).toEqual(["OPS-PRO-SEAT"]);
    await c.close();
  }, 30_000);
  test("bad input names the parameter", async () => {
    expect(errorText(await call(harbor, "cavalier_search_products", { billing_type: "weekly" }))).toContain(
      "billing_type",
    );
  });
  test("another MSP cannot read Harbor's catalog or name its client", async () => {
    expect(ok<Page<unknown>>(await call(otter, "cavalier_search_products", {})).items).toEqual([]);
    expect(errorText(await call(otter, "cavalier_search_products", { tenant_id: "contosocare" }))).toStartWith(
      NOT_PERMITTED,
    );
    expect(await lastAuditOutcome("cavalier_search_products")).toBe("denied_cross_tenant");
  });
  test("missing scope", async () => {
    await expectMissingScope(writeOnlyToken, "cavalier_search_products", {}, "cavalier:read");
  });
});

describe("cavalier_list_contacts", () => {
  test("lists a tenant's contacts by name", async () => {
    const page = ok<Page<{ name: string; is_primary: boolean }>>(
      await call(harbor, "cavalier_list_contacts", { tenant_id: "ContosoCare" }),
    );
    expect(page.items.map((c) => c.name)).toEqual(["Dr. Maya Chen", "Luis Ortega"]);
    expect(page.items[0]!.is_primary).toBe(true);
  });
  test("bad input", async () => {
    expect(errorText(await call(harbor, "cavalier_list_contacts", { limit: 101 }))).toContain("limit");
  });
  test("cross-tenant", async () => {
    expect(errorText(await call(otter, "cavalier_list_contacts", { tenant_id: "contosocare" }))).toStartWith(
      NOT_PERMITTED,
    );
    expect(ok<Page<unknown>>(await call(otter, "cavalier_list_contacts", {})).items).toEqual([]);
  });
  test("missing scope", async () => {
    await expectMissingScope(writeOnlyToken, "cavalier_list_contacts", {}, "cavalier:read");
  });
});

describe("cavalier_list_deals and cavalier_get_deal", () => {
  test("filters by stage and reads a deal with its quote versions and MRR", async () => {
    const won = ok<Page<{ id: string; name: string; tenant: { name: string } }>>(
      await call(harbor, "cavalier_list_deals", { stages: ["closed_won"] }),
    );
    expect(won.items.map((d) => d.name)).toContain("Firewall refresh");
    const deal = ok<{ deal: { stage: string }; quotes: { reference: string; status: string }[]; est_mrr: Money }>(
      await call(harbor, "cavalier_get_deal", { deal_id: "dl_demo_tailspin_firewall" }),
    );
    expect(deal.deal.stage).toBe("closed_won");
    expect(deal.quotes.map((q) => [q.reference, q.status])).toEqual([
      [`Q-${YEAR}-0041 v2`, "accepted"],
      [`Q-${YEAR}-0041 v1`, "superseded"],
    ]);
    expect(deal.est_mrr).toEqual({ amount_minor: 3600 + 65 * 3100, currency: "GBP", formatted: "£2,051.00" });
  });
  test("bad input", async () => {
    expect(errorText(await call(harbor, "cavalier_list_deals", { stages: ["won"] }))).toContain("stages");
    expect(errorText(await call(harbor, "cavalier_get_deal", {}))).toContain("deal_id");
    expect(errorText(await call(harbor, "cavalier_get_deal", { deal_id: "dl_missing" }))).toBe(NOT_PERMITTED);
  });
  test("cross-tenant", async () => {
    expect(ok<Page<unknown>>(await call(otter, "cavalier_list_deals", {})).items).toEqual([]);
    expect(errorText(await call(otter, "cavalier_get_deal", { deal_id: "dl_demo_tailspin_firewall" }))).toBe(
      NOT_PERMITTED,
    );
    expect(await lastAuditOutcome("cavalier_get_deal")).toBe("denied_cross_tenant");
  });
  test("missing scope", async () => {
    await expectMissingScope(
      writeOnlyToken,
      "cavalier_get_deal",
      { deal_id: "dl_demo_tailspin_firewall" },
      "cavalier:read",
    );
  });
});

describe("cavalier_create_deal", () => {
  test("creates an open deal in the tenant's currency; the same key returns the same deal", async () => {
    const args = {
      tenant_id: "Tailspin Logistics Ltd",
      name: "Second warehouse network",
      stage: "qualified",
      expected_close_date: "2027-03-31",
      contact_id: "ctc_demo_tailspin_hughes",
      idempotency_key: randomUUID(),
    };
    const a = ok<{
      deal: { id: string; currency: string; probability_pct: number; tenant: { id: string } };
      replayed: boolean;
    }>(await call(harbor, "cavalier_create_deal", args));
    expect(a.deal).toMatchObject({ currency: "GBP", probability_pct: 25, tenant: { id: "tailspin-logistics" } });
    const b = ok<{ deal: { id: string }; replayed: boolean }>(await call(harbor, "cavalier_create_deal", args));
    expect(b).toMatchObject({ deal: { id: a.deal.id }, replayed: true });
    expect(b.deal).toEqual(a.deal); // the replay answers with the stored deal, people and all
    expect(errorText(await call(harbor, "cavalier_create_deal", { ...args, name: "Something else" }))).toContain(
      "idempotency_key",
    );
  });
  test("bad input", async () => {
    const base = { tenant_id: "contosocare", name: "x", idempotency_key: randomUUID() };
    expect(errorText(await call(harbor, "cavalier_create_deal", { ...base, stage: "closed_won" }))).toContain("stage");
    expect(errorText(await call(harbor, "cavalier_create_deal", { ...base, idempotency_key: "short" }))).toContain(
      "idempotency_key",
    );
    expect(errorText(await call(harbor, "cavalier_create_deal", { ...base, tenant_id: "harbor-it" }))).toContain("MSP");
    expect(
      errorText(await call(harbor, "cavalier_create_deal", { ...base, contact_id: "ctc_demo_fabrikam_kim" })),
    ).toContain("another tenant");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(
        await call(otter, "cavalier_create_deal", {
          tenant_id: "fabrikam-law",
          name: "poach",
          idempotency_key: randomUUID(),
        }),
      ),
    ).toStartWith(NOT_PERMITTED);
    expect(await lastAuditOutcome("cavalier_create_deal")).toBe("denied_cross_tenant");
  });
  test("missing scope", async () => {
    await expectMissingScope(
      readOnlyToken,
      "cavalier_create_deal",
      { tenant_id: "contosocare", name: "x", idempotency_key: randomUUID() },
      "cavalier:write",
    );
  });
});

describe("cavalier_update_deal_stage", () => {
  test("moves a deal after confirmation; nothing changes before it", async () => {
    const args = { deal_id: "dl_demo_contoso_aware", stage: "qualified", reason: "budget approved for next quarter" };
    const first = ok<{ status: string; summary: string }>(await call(harbor, "cavalier_update_deal_stage", args));
    expect(first.summary).toContain("from lead to qualified");
    expect((await app.ctx.store.db.select().from(deals).where(eq(deals.id, "dl_demo_contoso_aware")))[0]!.stage).toBe(
      "lead",
    );
    const done = ok<{ deal: { stage: string; probability_pct: number }; previous_stage: string }>(
      await call(harbor, "cavalier_update_deal_stage", { ...args, confirmed: true }),
    );
    expect(done).toMatchObject({ deal: { stage: "qualified", probability_pct: 25 }, previous_stage: "lead" });
  });
  test("bad input: closing lost needs a reason; closed deals stay closed", async () => {
    expect(
      errorText(
        await call(harbor, "cavalier_update_deal_stage", {
          deal_id: "dl_demo_fabrikam_secuplift",
          stage: "closed_lost",
        }),
      ),
    ).toContain("reason");
    expect(
      errorText(
        await call(harbor, "cavalier_update_deal_stage", { deal_id: "dl_demo_tailspin_firewall", stage: "proposal" }),
      ),
    ).toContain("closed deals do not reopen");
    expect(
      errorText(
        await call(harbor, "cavalier_update_deal_stage", { deal_id: "dl_demo_fabrikam_secuplift", stage: "won" }),
      ),
    ).toContain("stage");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(
        await call(otter, "cavalier_update_deal_stage", {
          deal_id: "dl_demo_fabrikam_secuplift",
          stage: "closed_lost",
          reason: "x",
        }),
      ),
    ).toBe(NOT_PERMITTED);
    expect(await lastAuditOutcome("cavalier_update_deal_stage")).toBe("denied_cross_tenant");
  });
  test("missing scope", async () => {
    await expectMissingScope(
      readOnlyToken,
      "cavalier_update_deal_stage",
      { deal_id: "dl_demo_fabrikam_secuplift", stage: "proposal" },
      "cavalier:write",
    );
  });
});

describe("cavalier_price_quote", () => {
  test("prices in GBP with 20% VAT and saves nothing", async () => {
    const before = (await app.ctx.store.db.select({ id: quotes.id }).from(quotes)).length;
    const r = ok<{ pricing: { recurring_monthly_total: Money; tax: Money; one_time_total: Money }; summary: string }>(
      await call(harbor, "cavalier_price_quote", {
        tenant_id: "Tailspin Logistics Ltd",
        lines: [
          { product: "OPS-PRO-SEAT", quantity: 10 },
          { product: "Onboarding and CIS L1 hardening", quantity: 1 },
        ],
      }),
    );
    expect(r.pricing.recurring_monthly_total).toEqual({ amount_minor: 62400, currency: "GBP", formatted: "£624.00" });
    expect(r.pricing.one_time_total.amount_minor).toBe(144000);
    expect(r.pricing.tax.amount_minor).toBe(10400 + 24000);
    expect(r.summary).toContain("Tax (20%)");
    expect((await app.ctx.store.db.select({ id: quotes.id }).from(quotes)).length).toBe(before);
  });
  test("a tenant named by a prefix is answered with the exact id to pass; names as typed are audited by id", async () => {
    expect(
      errorText(
        await call(harbor, "cavalier_price_quote", {
          tenant_id: "tailspin",
          lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
        }),
      ),
    ).toContain("Did you mean tailspin-logistics (Tailspin Logistics Ltd)?");
    ok(
      await call(harbor, "cavalier_price_quote", {
        tenant_id: "tailspin logistics ltd",
        lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
      }),
    );
    const [row] = await app.ctx.store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.tool, "cavalier_price_quote"))
      .orderBy(desc(auditLog.seq))
      .limit(1);
    expect(row).toMatchObject({ outcome: "ok", tenantId: "tailspin-logistics" });
  });
  test("bad input: quantity, unknown product, retired product", async () => {
    expect(
      errorText(
        await call(harbor, "cavalier_price_quote", {
          tenant_id: "contosocare",
          lines: [{ product: "OPS-PRO-SEAT", quantity: 0 }],
        }),
      ),
    ).toContain("quantity");
    expect(
      errorText(
        await call(harbor, "cavalier_price_quote", {
          tenant_id: "contosocare",
          lines: [{ product: "Quantum seat", quantity: 1 }],
        }),
      ),
    ).toContain("cavalier_search_products");
    expect(
      errorText(
        await call(harbor, "cavalier_price_quote", {
          tenant_id: "contosocare",
          lines: [{ product: "LEGACY-AV", quantity: 1 }],
        }),
      ),
    ).toContain("no active catalog product");
  });
  test("cross-tenant", async () => {
    expect(
      errorText(
        await call(otter, "cavalier_price_quote", {
          tenant_id: "ContosoCare",
          lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
        }),
      ),
    ).toStartWith(NOT_PERMITTED);
  });
  test("missing scope", async () => {
    await expectMissingScope(
      writeOnlyToken,
      "cavalier_price_quote",
      { tenant_id: "contosocare", lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }] },
      "cavalier:read",
    );
  });
});

describe("cavalier_list_quotes and cavalier_get_quote", () => {
  test("expiry follows valid_until; quotes read by number and version", async () => {
    const expired = ok<Page<{ reference: string; status: string }>>(
      await call(harbor, "cavalier_list_quotes", { statuses: ["expired"] }),
    );
    expect(expired.items.map((q) => q.reference)).toEqual([`Q-${YEAR}-0039 v1`]);
    const byNumber = ok<{
      quote: {
        id: string;
        status: string;
        versions: { version: number; status: string }[];
        totals: { currency: string };
      };
    }>(await call(harbor, "cavalier_get_quote", { quote_number: `Q-${YEAR}-0041` }));
    expect(byNumber.quote).toMatchObject({ id: "q_demo_0041_v2", status: "accepted", totals: { currency: "GBP" } });
    expect(byNumber.quote.versions.map((v) => v.status)).toEqual(["superseded", "accepted"]);
    const v1 = ok<{ quote: { id: string } }>(
      await call(harbor, "cavalier_get_quote", { quote_number: `Q-${YEAR}-0041 v1` }),
    );
    expect(v1.quote.id).toBe("q_demo_0041_v1");
  });
  test("bad input", async () => {
    expect(errorText(await call(harbor, "cavalier_list_quotes", { statuses: ["open"] }))).toContain("statuses");
    expect(errorText(await call(harbor, "cavalier_get_quote", {}))).toContain("quote_id");
    expect(errorText(await call(harbor, "cavalier_get_quote", { quote_number: "42" }))).toContain("Q-2026-0042");
  });
  test("an otter-msp user asking for a harbor quote gets 'not found or not permitted', audited as cross-tenant", async () => {
    expect(errorText(await call(otter, "cavalier_get_quote", { quote_id: "q_demo_0042_v1" }))).toBe(NOT_PERMITTED);
    expect(await lastAuditOutcome("cavalier_get_quote")).toBe("denied_cross_tenant");
    expect(errorText(await call(otter, "cavalier_get_quote", { quote_number: `Q-${YEAR}-0042` }))).toBe(NOT_PERMITTED);
    expect(ok<Page<unknown>>(await call(otter, "cavalier_list_quotes", {})).items).toEqual([]);
    expect(errorText(await call(otter, "cavalier_list_quotes", { deal_id: "dl_demo_fabrikam_secuplift" }))).toBe(
      NOT_PERMITTED,
    );
  });
  test("missing scope", async () => {
    await expectMissingScope(writeOnlyToken, "cavalier_get_quote", { quote_id: "q_demo_0042_v1" }, "cavalier:read");
    await expectMissingScope(writeOnlyToken, "cavalier_list_quotes", {}, "cavalier:read");
  });
});

describe("cavalier_create_quote", () => {
  test("repeating a confirmed create with the same key returns the same quote", async () => {
    const args = {
      tenant_id: "fabrikam-law",
      deal_id: "dl_demo_fabrikam_secuplift",
      contact_id: "ctc_demo_fabrikam_kim",
      lines: [{ product: "SEC-EDR-DEV", quantity: 24, discount_bps: 1500 }],
      idempotency_key: randomUUID(),
    };
    const a = await confirmed<{ quote: { id: string; title: string; totals: { tax: Money } }; replayed: boolean }>(
      harbor,
      "cavalier_create_quote",
      args,
    );
    expect(a.result.quote.title).toBe("Security uplift (EDR + ITDR)");
    // 24 × $8.50 = $204.00, 15% off = $173.40, 7.25% tax = $12.57 (12.5715 rounded half up)
    expect(a.result.quote.totals.tax.amount_minor).toBe(1257);
    const b = await confirmed<{ quote: { id: string }; replayed: boolean }>(harbor, "cavalier_create_quote", args);
    expect(b.proposal.summary).toContain("already created");
    expect(b.result).toMatchObject({ quote: { id: a.result.quote.id }, replayed: true });
  });
  test("bad input: no lines, a closed deal, validity beyond a year", async () => {
    const key = randomUUID();
    expect(
      errorText(
        await call(harbor, "cavalier_create_quote", { tenant_id: "contosocare", lines: [], idempotency_key: key }),
      ),
    ).toContain("lines");
    expect(
      errorText(
        await call(harbor, "cavalier_create_quote", {
          tenant_id: "tailspin-logistics",
          deal_id: "dl_demo_tailspin_firewall",
          lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
          idempotency_key: key,
        }),
      ),
    ).toContain("closed_won");
    expect(
      errorText(
        await call(harbor, "cavalier_create_quote", {
          tenant_id: "contosocare",
          lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
          valid_days: 400,
          idempotency_key: key,
        }),
      ),
    ).toContain("valid_days");
    expect(await lastAuditOutcome("cavalier_create_quote")).toBe("invalid_input");
  });
  test("cross-tenant: another MSP cannot quote Harbor's client, even by name", async () => {
    expect(
      errorText(
        await call(otter, "cavalier_create_quote", {
          tenant_id: "ContosoCare",
          lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
          idempotency_key: randomUUID(),
        }),
      ),
    ).toStartWith(NOT_PERMITTED);
    expect(await lastAuditOutcome("cavalier_create_quote")).toBe("denied_cross_tenant");
  });
  test("missing scope", async () => {
    await expectMissingScope(
      readOnlyToken,
      "cavalier_create_quote",
      { tenant_id: "contosocare", lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }], idempotency_key: randomUUID() },
      "cavalier:write",
    );
  });
});

describe("quote lifecycle: revise, mark sent, record decision", () => {
  test("revise -> superseded + v2 draft; mark sent; accept closes the deal won", async () => {
    const rev = await confirmed<{
      quote: { id: string; version: number; status: string; versions: { status: string }[] };
      superseded_id: string;
    }>(harbor, "cavalier_revise_quote", {
      quote_id: "q_demo_0042_v1",
      lines: [
        { product: "SEC-EDR-DEV", quantity: 24, discount_bps: 1000 },
        { product: "SEC-ITDR-USER", quantity: 20 },
      ],
      idempotency_key: randomUUID(),
    });
    expect(rev.proposal.summary).toContain(`Revise Q-${YEAR}-0042 v1 (draft) into Q-${YEAR}-0042 v2`);
    expect(rev.result.quote).toMatchObject({ version: 2, status: "draft" });
    expect(rev.result.quote.versions.map((v) => v.status)).toEqual(["superseded", "draft"]);
    const v2 = rev.result.quote.id;

    expect(
      errorText(await call(harbor, "cavalier_record_quote_decision", { quote_id: v2, decision: "accepted" })),
    ).toContain("mark it sent first");
    const sent = await confirmed<{ quote: { status: string }; previous_status: string }>(
      harbor,
      "cavalier_mark_quote_sent",
      { quote_id: v2 },
    );
    expect(sent.result).toMatchObject({ quote: { status: "sent" }, previous_status: "draft" });

    const acc = await confirmed<{ quote: { status: string }; deal: { id: string; stage: string } | null }>(
      harbor,
      "cavalier_record_quote_decision",
      {
        quote_id: v2,
        decision: "accepted",
        contact_id: "ctc_demo_fabrikam_kim",
      },
    );
    expect(acc.proposal.summary).toContain("moves from qualified to closed_won");
    expect(acc.result).toMatchObject({
      quote: { status: "accepted" },
      deal: { id: "dl_demo_fabrikam_secuplift", stage: "closed_won" },
    });
  });

  test("declining needs a reason; void keeps the quote", async () => {
    expect(
      errorText(
        await call(harbor, "cavalier_record_quote_decision", { quote_id: "q_demo_0044_v1", decision: "declined" }),
      ),
    ).toContain("reason");
    const voided = await confirmed<{ quote: { status: string; decision_reason: string } }>(
      harbor,
      "cavalier_record_quote_decision",
      {
        quote_id: "q_demo_0044_v1",
        decision: "void",
        reason: "replaced by a retainer proposal",
      },
    );
    expect(voided.result.quote).toMatchObject({ status: "void", decision_reason: "replaced by a retainer proposal" });
    expect((await app.ctx.store.db.select().from(quotes).where(eq(quotes.id, "q_demo_0044_v1"))).length).toBe(1);
  });

  test("bad input: superseded and accepted quotes cannot move; unknown decisions are refused", async () => {
    expect(
      errorText(
        await call(harbor, "cavalier_revise_quote", { quote_id: "q_demo_0041_v1", idempotency_key: randomUUID() }),
      ),
    ).toContain("superseded");
    expect(errorText(await call(harbor, "cavalier_mark_quote_sent", { quote_id: "q_demo_0041_v2" }))).toContain(
      "accepted",
    );
    expect(
      errorText(
        await call(harbor, "cavalier_record_quote_decision", { quote_id: "q_demo_0039_v1", decision: "accepted" }),
      ),
    ).toContain("expired");
    expect(
      errorText(
        await call(harbor, "cavalier_record_quote_decision", { quote_id: "q_demo_0039_v1", decision: "deleted" }),
      ),
    ).toContain("decision");
  });

  test("cross-tenant: another MSP cannot revise, send or decide a Harbor quote", async () => {
    expect(
      errorText(
        await call(otter, "cavalier_revise_quote", { quote_id: "q_demo_0039_v1", idempotency_key: randomUUID() }),
      ),
    ).toBe(NOT_PERMITTED);
    expect(errorText(await call(otter, "cavalier_mark_quote_sent", { quote_id: "q_demo_0039_v1" }))).toBe(
      NOT_PERMITTED,
    );
    expect(
      errorText(
        await call(otter, "cavalier_record_quote_decision", {
          quote_id: "q_demo_0039_v1",
          decision: "void",
          reason: "x",
        }),
      ),
    ).toBe(NOT_PERMITTED);
    expect(await lastAuditOutcome("cavalier_record_quote_decision")).toBe("denied_cross_tenant");
    const [q] = await app.ctx.store.db.select().from(quotes).where(eq(quotes.id, "q_demo_0039_v1"));
    expect(q!.status).toBe("sent");
  });

  test("missing scope", async () => {
    await expectMissingScope(
      readOnlyToken,
      "cavalier_revise_quote",
      { quote_id: "q_demo_0039_v1", idempotency_key: randomUUID() },
      "cavalier:write",
    );
    await expectMissingScope(
      readOnlyToken,
      "cavalier_mark_quote_sent",
      { quote_id: "q_demo_0039_v1" },
      "cavalier:write",
    );
    await expectMissingScope(
      readOnlyToken,
      "cavalier_record_quote_decision",
      { quote_id: "q_demo_0039_v1", decision: "void", reason: "x" },
      "cavalier:write",
    );
  });
});

describe("the customer's own users", () => {
  test("may read, price and decide a sent quote, but not create, send or void quotes or open deals", async () => {
    const staff = await connect(
      (await obtainTokens(app, { email: "staff@contosocare.example", surface: "cavalier" })).access_token,
    );
    try {
      const basket = {
        tenant_id: "contosocare",
        lines: [{ product: "OPS-PRO-SEAT", quantity: 1, unit_price_minor: 0 }],
      };
      expect(
        ok<{ pricing: { total: Money } }>(await call(staff, "cavalier_price_quote", basket)).pricing.total.amount_minor,
      ).toBe(0);
      expect(
        errorText(await call(staff, "cavalier_create_quote", { ...basket, idempotency_key: randomUUID() })),
      ).toContain("only Harbor IT Services staff can create quotes");
      expect(
        errorText(
          await call(staff, "cavalier_create_deal", {
            tenant_id: "contosocare",
            name: "self-serve",
            idempotency_key: randomUUID(),
          }),
        ),
      ).toContain("only Harbor IT Services staff");
      expect(
        errorText(
          await call(staff, "cavalier_record_quote_decision", {
            quote_id: "q_demo_0039_v1",
            decision: "void",
            reason: "x",
          }),
        ),
      ).toContain("only Harbor IT Services staff can void quotes");

      // Harbor drafts and sends a quote; the clinic's staff accept it.
      const made = await confirmed<{ quote: { id: string } }>(harbor, "cavalier_create_quote", {
        tenant_id: "contosocare",
        deal_id: "dl_demo_contoso_opspro",
        lines: [{ product: "OPS-PRO-SEAT", quantity: 42 }],
        idempotency_key: randomUUID(),
      });
      expect(errorText(await call(staff, "cavalier_mark_quote_sent", { quote_id: made.result.quote.id }))).toContain(
        "only Harbor IT Services staff",
      );
      await confirmed(harbor, "cavalier_mark_quote_sent", { quote_id: made.result.quote.id });
      const acc = await confirmed<{ quote: { status: string }; deal: { stage: string } | null }>(
        staff,
        "cavalier_record_quote_decision",
        {
          quote_id: made.result.quote.id,
          decision: "accepted",
          contact_id: "ctc_demo_contoso_chen",
        },
      );
      expect(acc.result).toMatchObject({ quote: { status: "accepted" }, deal: { stage: "closed_won" } });
      // and they still see only their own tenant
      expect(errorText(await call(staff, "cavalier_get_quote", { quote_id: "q_demo_0042_v1" }))).toBe(NOT_PERMITTED);
    } finally {
      await staff.close();
    }
  }, 30_000);
});
