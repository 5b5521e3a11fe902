import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../../src/config/load";
import { seedAllDemo } from "../../../src/demo/index";
import { seedDemo } from "../../../src/demo/seed";
import { loadTenantScope } from "../../../src/mcp/tenant-scope";
import { silentLogger } from "../../../src/shared/log";
import { openStore, type Store } from "../../../src/store/index";
import { applyMigrations } from "../../../src/store/migrate";
import { contacts, deals, productPrices, products, quoteLines, quotes } from "../../../src/store/schema/cavalier";
import { DAY_MS } from "../../../src/surfaces/cavalier/pricing";
import { priceQuoteFor, resolveTenant, searchProducts } from "../../../src/surfaces/cavalier/catalog";
import { createDeal, getDeal, getDealRow, updateDealStage } from "../../../src/surfaces/cavalier/deals";
import { transitionQuote } from "../../../src/surfaces/cavalier/quote-decisions";
import { createQuote, planRevision, reviseQuote } from "../../../src/surfaces/cavalier/quote-drafts";
import { getQuote, listQuotes } from "../../../src/surfaces/cavalier/quotes";
import { InvalidCursorError } from "../../../src/surfaces/kit/cursor";
import { UnknownTenantError } from "../../../src/surfaces/kit/tenant";
import { CrossTenantError, NotFoundError, type TenantScope } from "../../../src/tenancy/scope";
import { syncConfigToStore, userIdForEmail } from "../../../src/tenancy/sync";
import { tempDir, testConfigToml } from "../../helpers/appliance";

const NOW = Date.UTC(2026, 10, 24, 9, 0, 0);
let dir: string;
let store: Store;

async function scopeOf(email: string): Promise<TenantScope> {
  const config = parseConfigText(testConfigToml({ publicPort: 1, adminPort: 2, dbPath: "x" }), "t.toml");
  const u = config.users.find((x) => x.email === email)!;
  return await loadTenantScope(store.db, { userId: userIdForEmail(email), role: u.role, tenantId: u.tenant });
}
const actor = { userId: "usr_test", name: "Test User" };

/** Row counts of every table (all surfaces' demo data, not only cavalier's). */
async function countRows() {
  const out: Record<string, number> = {};
  for (const t of [products, productPrices, contacts, deals, quotes, quoteLines])
    out[`drizzle:${t.id.name}`] = (await store.db.select({ id: t.id }).from(t)).length;
  const tables = await store.client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  );
  for (const r of tables.rows) {
    const name = String(r.name);
    out[name] = Number((await store.client.execute(`SELECT count(*) AS n FROM "${name}"`)).rows[0]!.n);
  }
  return out;
}

beforeAll(async () => {
  dir = tempDir();
  const dbPath = join(dir, "cavalier.db");
  store = await openStore(`file:${dbPath}`);
  await applyMigrations(store.client);
  const config = parseConfigText(testConfigToml({ publicPort: 1, adminPort: 2, dbPath }), "t.toml");
  await syncConfigToStore(store, config, () => NOW);
  const result = await seedAllDemo({ store, clock: () => NOW, log: silentLogger }, { onlyIfEmpty: true });
  expect(result.status).toBe("seeded");
}, 30_000);

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("demo seed", () => {
  test("seeding twice changes nothing, and start-up seeding skips a seeded database", async () => {
    const before = await countRows();
    // The orchestrator ran every surface's seed, not only cavalier's.
    for (const table of ["cavalier_quotes", "aegis_findings", "aegis_posture_snapshots", "forge_documents"])
      expect(before[table]).toBeGreaterThan(0);
    const again = await seedAllDemo({ store, clock: () => NOW + 5 * DAY_MS, log: silentLogger });
    expect(again).toEqual({ status: "unchanged" });
    expect(await countRows()).toEqual(before);
    const atStart = await seedDemo({ store, clock: () => NOW, log: silentLogger }, { onlyIfEmpty: true });
    expect(atStart).toEqual({ status: "skipped", reason: "already seeded" });
  });

  test("has quotes in every state, expiry derived from valid_until", async () => {
    const scope = await scopeOf("admin@harbor-it.example");
    const page = await listQuotes(store.db, scope, { limit: 100 }, NOW);
    const states = new Set(page.items.map((q) => q.status));
    for (const s of ["draft", "sent", "accepted", "declined", "expired", "superseded", "void"] as const)
      expect(states.has(s)).toBe(true);
    const expired = await listQuotes(store.db, scope, { statuses: ["expired"] }, NOW);
    expect(expired.items.map((q) => q.quote.id)).toEqual(["q_demo_0039_v1"]);
  });
});

describe("tenants and catalog", () => {
  test("resolves a tenant by id or name as typed; suggests on a prefix; refuses others' tenants", async () => {
    const scope = await scopeOf("tech@harbor-it.example");
    expect((await resolveTenant(store.db, scope, "ContosoCare")).id).toBe("contosocare");
    expect((await resolveTenant(store.db, scope, "contosocare clinic")).id).toBe("contosocare");
    // a prefix is answered with the exact id to pass (so the audit row, which resolves the same way, names it)
    await expect(resolveTenant(store.db, scope, "Fabrikam")).rejects.toThrow(
      "Did you mean fabrikam-law (Fabrikam Law LLP)?",
    );
    await expect(resolveTenant(store.db, scope, "otter-client")).rejects.toBeInstanceOf(CrossTenantError);
    await expect(resolveTenant(store.db, scope, "nobody-inc")).rejects.toBeInstanceOf(UnknownTenantError);
    const otter = await scopeOf("admin@otter-msp.example");
    await expect(resolveTenant(store.db, otter, "ContosoCare")).rejects.toBeInstanceOf(CrossTenantError);
  });

  test("the MSP catalog is readable from a client tenant's scope, not from another MSP", async () => {
    const client = await scopeOf("staff@contosocare.example");
    const page = await searchProducts(store.db, client, { query: "operations pro" });
    expect(page.items.map((p) => p.product.sku)).toEqual(["OPS-PRO-SEAT"]);
    const otter = await scopeOf("admin@otter-msp.example");
    expect((await searchProducts(store.db, otter, {})).items).toEqual([]);
  });

  test("lists page with a cursor and reject a forged cursor", async () => {
    const scope = await scopeOf("admin@harbor-it.example");
    const first = await searchProducts(store.db, scope, { limit: 4 });
    expect(first.items.length).toBe(4);
    expect(first.nextCursor).not.toBeNull();
    const second = await searchProducts(store.db, scope, { limit: 4, cursor: first.nextCursor! });
    expect(second.items[0]!.product.sku > first.items[3]!.product.sku).toBe(true);
    await expect(searchProducts(store.db, scope, { cursor: "garbage" })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe("quotes", () => {
  test("prices one Operations Pro seat for ContosoCare in USD, and 10 for Tailspin in GBP with 20% VAT", async () => {
    const scope = await scopeOf("tech@harbor-it.example");
    const contoso = await priceQuoteFor(store.db, scope, {
      tenant: "ContosoCare",
      lines: [{ product: "Operations Pro seat", quantity: 1 }],
    });
    expect(contoso.pricing.currency).toBe("USD");
    expect(contoso.pricing.recurringMonthly.subtotalMinor).toBe(6500);
    const tailspin = await priceQuoteFor(store.db, scope, {
      tenant: "tailspin-logistics",
      lines: [{ product: "OPS-PRO-SEAT", quantity: 10 }],
    });
    expect(tailspin.pricing.currency).toBe("GBP");
    expect(tailspin.pricing.recurringMonthly).toMatchObject({
      subtotalMinor: 52000,
      taxMinor: 10400,
      totalMinor: 62400,
    });
  });

  test("create is idempotent per key; a reused key with another request is a conflict", async () => {
    const scope = await scopeOf("tech@harbor-it.example");
    const input = {
      tenant: "contosocare",
      lines: [{ product: "OPS-PRO-SEAT", quantity: 1 }],
      idempotencyKey: "test-key-0001",
    };
    const a = await store.db.transaction((tx) => createQuote(tx, scope, input, actor, NOW));
    expect(a.replayed).toBe(false);
    expect(a.detail.status).toBe("draft");
    expect(a.detail.quote.quoteNumber).toBe("Q-2026-0046");
    const b = await store.db.transaction((tx) => createQuote(tx, scope, input, actor, NOW + 1000));
    expect(b.replayed).toBe(true);
    expect(b.detail.quote.id).toBe(a.detail.quote.id);
    await expect(
      createQuote(store.db, scope, { ...input, lines: [{ product: "OPS-PRO-SEAT", quantity: 2 }] }, actor, NOW),
    ).rejects.toMatchObject({ code: "idempotency_conflict" });
  });

  test("revise supersedes the old version; send then accept closes the deal won", async () => {
    const scope = await scopeOf("admin@harbor-it.example");
    const created = await createQuote(
      store.db,
      scope,
      {
        tenant: "fabrikam-law",
        dealId: "dl_demo_fabrikam_afterhours",
        lines: [{ product: "LAB-HOUR", quantity: 10 }],
        idempotencyKey: "test-key-0002",
      },
      actor,
      NOW,
    );
    const revised = await reviseQuote(
      store.db,
      scope,
      {
        quoteId: created.detail.quote.id,
        lines: [{ product: "LAB-HOUR", quantity: 12 }],
        idempotencyKey: "test-key-0003",
      },
      actor,
      NOW,
    );
    expect(revised.detail.quote.version).toBe(2);
    expect(revised.detail.versions.map((v) => v.status)).toEqual(["superseded", "draft"]);
    await expect(
      transitionQuote(store.db, scope, { quoteId: created.detail.quote.id, to: "sent" }, NOW),
    ).rejects.toMatchObject({ code: "invalid_state_transition" });
    await expect(
      transitionQuote(store.db, scope, { quoteId: revised.detail.quote.id, to: "accepted" }, NOW),
    ).rejects.toMatchObject({ code: "invalid_state_transition" });
    await transitionQuote(store.db, scope, { quoteId: revised.detail.quote.id, to: "sent" }, NOW);
    const accepted = await transitionQuote(store.db, scope, { quoteId: revised.detail.quote.id, to: "accepted" }, NOW);
    expect(accepted.detail.status).toBe("accepted");
    expect(accepted.deal).toMatchObject({ id: "dl_demo_fabrikam_afterhours", stage: "closed_won" });
    expect((await getDealRow(store.db, scope, "dl_demo_fabrikam_afterhours")).stage).toBe("closed_won");
    // repeating the same decision changes nothing
    expect(
      (await transitionQuote(store.db, scope, { quoteId: revised.detail.quote.id, to: "accepted" }, NOW)).changed,
    ).toBe(false);
  });

  test("an expired quote cannot be accepted; it can be revised", async () => {
    const scope = await scopeOf("admin@harbor-it.example");
    await expect(transitionQuote(store.db, scope, { quoteId: "q_demo_0039_v1", to: "accepted" }, NOW)).rejects.toThrow(
      /expired/,
    );
    const plan = await planRevision(
      store.db,
      scope,
      { quoteId: "q_demo_0039_v1", idempotencyKey: "test-key-0004" },
      NOW,
    );
    expect(plan.version).toBe(2);
    expect(plan.pricing.recurringMonthly.subtotalMinor).toBe(42 * 6500);
  });

  test("another MSP's user cannot read, revise or decide a harbor quote", async () => {
    const otter = await scopeOf("admin@otter-msp.example");
    await expect(getQuote(store.db, otter, { quoteId: "q_demo_0042_v1" }, NOW)).rejects.toBeInstanceOf(
      CrossTenantError,
    );
    await expect(getQuote(store.db, otter, { quoteId: "q_nope" }, NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      transitionQuote(store.db, otter, { quoteId: "q_demo_0042_v1", to: "void", reason: "x" }, NOW),
    ).rejects.toBeInstanceOf(CrossTenantError);
    // A number that exists in another tenant is a probe (audited as such); one nobody has is a miss.
    await expect(getQuote(store.db, otter, { quoteNumber: "Q-2026-0042" }, NOW)).rejects.toBeInstanceOf(
      CrossTenantError,
    );
    await expect(getQuote(store.db, otter, { quoteNumber: "Q-2026-9999" }, NOW)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listQuotes(store.db, otter, {}, NOW)).items).toEqual([]);
  });

  test("a client tenant user sees only its own tenant's quotes", async () => {
    const staff = await scopeOf("staff@contosocare.example");
    const page = await listQuotes(store.db, staff, { limit: 100 }, NOW);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((q) => q.quote.tenantId === "contosocare")).toBe(true);
    await expect(getQuote(store.db, staff, { quoteId: "q_demo_0041_v2" }, NOW)).rejects.toBeInstanceOf(
      CrossTenantError,
    );
  });
});

describe("deals", () => {
  test("create deal is idempotent; closing lost needs a reason; closed deals stay closed", async () => {
    const scope = await scopeOf("tech@harbor-it.example");
    const input = {
      tenant: "Tailspin Logistics Ltd",
      name: "Second warehouse network",
      idempotencyKey: "deal-key-0001",
    };
    const a = await createDeal(store.db, scope, input, actor, NOW);
    const b = await createDeal(store.db, scope, input, actor, NOW);
    expect(b.deal.id).toBe(a.deal.id);
    expect(b.replayed).toBe(true);
    expect(a.deal.currency).toBe("GBP");
    await expect(
      updateDealStage(store.db, scope, { dealId: a.deal.id, stage: "closed_lost" }, NOW),
    ).rejects.toMatchObject({ code: "invalid_input" });
    const lost = await updateDealStage(
      store.db,
      scope,
      { dealId: a.deal.id, stage: "closed_lost", reason: "went with incumbent" },
      NOW,
    );
    expect(lost.deal.probabilityPct).toBe(0);
    await expect(updateDealStage(store.db, scope, { dealId: a.deal.id, stage: "proposal" }, NOW)).rejects.toMatchObject(
      { code: "invalid_state_transition" },
    );
  });

  test("get deal shows its quotes and the live quote's MRR", async () => {
    const scope = await scopeOf("admin@harbor-it.example");
    const d = await getDeal(store.db, scope, "dl_demo_tailspin_firewall", NOW);
    expect(d.quotes.length).toBe(2);
    expect(d.estMrrMinor).toBe(3600 + 65 * 3100);
  });
});
