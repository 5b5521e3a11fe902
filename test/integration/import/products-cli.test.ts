/**
 * `cavaridge import products FILE`: the operator's import from a real CLI process into the database a running
 * appliance serves, read back through cavalier_search_products over the real MCP client. An Excel export (BOM,
 * CRLF, quoted commas and line breaks, TRUE/FALSE, a trailing empty row) imports; the same file again changes
 * nothing; a bad file changes nothing at all and names the line and column.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestAppliance, type TestAppliance } from "../../helpers/appliance";
import { type CliRun, importCliFor } from "../../helpers/cli-process";
import { obtainTokens } from "../../helpers/oauth";
import { call, connectSurface, ok } from "../../helpers/tool-calls";

setDefaultTimeout(60_000);

const FIXTURES = join(import.meta.dir, "../../fixtures/import");
let app: TestAppliance;

let cli: (args: string[]) => Promise<CliRun>;

/** Every row of the catalog tables, in a stable order: what "unchanged" is checked against. */
async function catalogDump(): Promise<string> {
  const products = await app.ctx.store.client.execute("SELECT * FROM cavalier_products ORDER BY id");
  const prices = await app.ctx.store.client.execute("SELECT * FROM cavalier_product_prices ORDER BY id");
  return JSON.stringify([products.rows, prices.rows]);
}

async function importAuditRows() {
  await app.ctx.audit.flush();
  const rs = await app.ctx.store.client.execute(
    "SELECT action, outcome, user_id, tenant_id, detail FROM audit_log WHERE action LIKE 'import.%' ORDER BY seq",
  );
  return rs.rows.map((r) => ({
    action: String(r.action),
    outcome: String(r.outcome),
    userId: r.user_id,
    tenantId: r.tenant_id,
    detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
  }));
}

beforeAll(async () => {
  app = await startTestAppliance();
  cli = importCliFor(app);
});
afterAll(async () => {
  await app.close();
});

describe("cavaridge import products", () => {
  const file = join(FIXTURES, "products-excel.csv");

  test("a dry run reports what would change and writes nothing", async () => {
    const before = await catalogDump();
    const run = await cli(["products", file, "--tenant", "Harbor IT Services", "--dry-run"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain("products: 7 records");
    expect(run.out).toContain("would insert 6, update 1, leave 0 unchanged (dry run, nothing written)");
    expect(await catalogDump()).toBe(before);
  });

  test("an Excel export imports, and cavalier_search_products finds it with exact prices per currency", async () => {
    const run = await cli(["products", file, "--tenant", "harbor-it"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    // BKP-M365-USER is in the demo catalog: its row updates the stored product; the rest are new.
    expect(run.out).toContain("6 inserted, 1 updated, 0 unchanged");

    const tokens = await obtainTokens(app, { email: "admin@harbor-it.example", surface: "cavalier" });
    const client = await connectSurface(app, "cavalier", tokens.access_token);
    try {
      const found = ok<{ items: Record<string, unknown>[] }>(
        await call(client, "cavalier_search_products", { query: "Managed Firewall" }),
      );
      const firewall = found.items.find((p) => p.sku === "NET-FW-MGD") as Record<string, unknown>;
      expect(firewall).toBeDefined();
      expect(firewall.description).toBe("Firewall monitoring, patching and rule reviews");
      const prices = firewall.prices as { currency: string; unit_price: { amount_minor: number } }[];
      expect(prices.map((p) => [p.currency, p.unit_price.amount_minor])).toEqual([
        ["GBP", 3800],
        ["USD", 4500],
      ]);
      const backup = ok<{ items: Record<string, unknown>[] }>(
        await call(client, "cavalier_search_products", { query: "BKP-M365-USER" }),
      ).items[0]!;
      expect(backup.name).toBe("Backup for Microsoft 365, per user");
      expect(backup.description).toBe("Mail, OneDrive and SharePoint backup.\r\nDaily, 1-year retention.");
      const laptop = ok<{ items: Record<string, unknown>[] }>(
        await call(client, "cavalier_search_products", { query: "HW-LAPTOP-14" }),
      ).items[0]!;
      expect(laptop.name).toBe('Laptop 14", business');
      // Inactive products are imported, and hidden from the default search as every inactive product is.
      const jp = ok<{ items: Record<string, unknown>[] }>(
        await call(client, "cavalier_search_products", { query: "SUP-PREM-JP", include_inactive: true }),
      ).items[0]!;
      expect(JSON.stringify(jp)).toContain('"amount_minor":52000');
    } finally {
      await client.close();
    }
  });

  test("the same file again changes nothing and says so", async () => {
    const before = await catalogDump();
    const run = await cli(["products", file, "--tenant", "harbor-it"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("nothing changed: all 7 already as in the file");
    expect(await catalogDump()).toBe(before);
  });

  test("a bad file writes nothing and names every problem's line and column", async () => {
    const text = readFileSync(file, "utf8")
      .replace("45.00", "45.005")
      .replace("one_time,1199.00", "once,1199.00")
      .replace("52000,30000,JPY", "520.50,30000,JPY");
    const bad = join(app.dir, "bad-products.csv");
    writeFileSync(bad, text);
    const before = await catalogDump();
    const run = await cli(["products", bad, "--tenant", "harbor-it"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("3 problems, nothing written");
    expect(run.err).toContain(
      'line 2, column 7 (unit_price): "45.005" is not a decimal amount of USD with at most 2 decimals, e.g. 12.50',
    );
    expect(run.err).toContain('line 6, column 6 (billing): "once" is not one of monthly, annual, yearly, one_time');
    expect(run.err).toContain('line 9, column 7 (unit_price): "520.50" is not a whole number of JPY');
    expect(await catalogDump()).toBe(before);
  });

  test("every import wrote one audit row: kind, file hash, counts, the cli actor and OS user, the tenant", async () => {
    const rows = await importAuditRows();
    expect(rows.map((r) => r.outcome)).toEqual(["dry_run", "ok", "ok", "invalid_input"]);
    const sha = new Bun.CryptoHasher("sha256").update(readFileSync(join(FIXTURES, "products-excel.csv"))).digest("hex");
    const applied = rows[1]!;
    expect(applied.action).toBe("import.products");
    expect(applied.tenantId).toBe("harbor-it");
    expect(applied.userId).toBeNull();
    expect(applied.detail).toMatchObject({
      actor: "cli",
      import_kind: "products",
      file_sha256: sha,
      dry_run: false,
      counts: { inserted: 6, updated: 1, unchanged: 0 },
    });
    expect(typeof applied.detail.os_user).toBe("string");
    expect(rows[2]!.detail).toMatchObject({ unchanged_file: true, counts: { inserted: 0, updated: 0, unchanged: 7 } });
    expect(rows[3]!.detail).toMatchObject({ problems: 3 });
  });

  test("a client tenant has no catalog of its own: refused with the MSP to use", async () => {
    const run = await cli(["products", file, "--tenant", "contosocare"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      "is a client tenant and sells from its MSP's catalog; import products into Harbor IT Services [harbor-it]",
    );
  });

  test("an EU Excel export: windows-1252 with --encoding, ; delimiter, decimal commas", async () => {
    const text =
      "sku;name;description;product_class;unit;billing;unit_price;unit_cost;currency;taxable;active\r\n" +
      "EU-CAFE-1;Café support, Zürich;Support für Büros;service;site;monthly;1.234,50;600,00;EUR;WAHR;TRUE\r\n";
    const file = join(app.dir, "eu.csv");
    // windows-1252: é, ü are single bytes; no BOM (older Excel's "CSV (semicolon delimited)").
    writeFileSync(file, Buffer.from(text, "latin1"));
    const refused = await cli(["products", file, "--tenant", "harbor-it"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("line 2: the file is not valid UTF-8 from this line on");
    const run = await cli(["products", file, "--tenant", "harbor-it", "--encoding", "windows-1252", "--dry-run"]);
    expect(run.code).toBe(1);
    // A thousands separator and a localized boolean are refused, by line and column: a guess would be worse.
    expect(run.err).toContain('line 2, column 7 (unit_price): "1.234,50" is not a decimal amount of EUR');
    expect(run.err).toContain('line 2, column 10 (taxable): "WAHR" is not true or false');
    writeFileSync(file, Buffer.from(text.replace("1.234,50", "1234,50").replace("WAHR", "TRUE"), "latin1"));
    const ok = await cli(["products", file, "--tenant", "harbor-it", "--encoding", "windows-1252"]);
    expect(ok.err).toBe("");
    expect(ok.out).toContain("1 inserted");
    const row = await app.ctx.store.client.execute(
      "SELECT p.name, p.description, pr.unit_price_minor, pr.unit_cost_minor FROM cavalier_products p JOIN cavalier_product_prices pr ON pr.product_id = p.id WHERE p.sku = 'EU-CAFE-1'",
    );
    expect(row.rows.map((r) => [r.name, r.description, r.unit_price_minor, r.unit_cost_minor])).toEqual([
      ["Café support, Zürich", "Support für Büros", 123450, 60000],
    ]);
  });
});
