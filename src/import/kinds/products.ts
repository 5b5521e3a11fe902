import { PRODUCT_CLASSES, PRODUCT_UNITS } from "../../store/schema/cavalier";
import { parseCsvTable } from "../csv";
import { RecordReader, storable } from "../fields";
import { csvKind, type ImportKind, type PrepareContext, type TenantRow } from "../kind";
import { decimalToMinor, isKnownCurrency } from "../money";
import type { ImportProblem } from "../report";
import { type CatalogEntry, catalogOwnerOf, planCatalogUpsert } from "../../surfaces/cavalier/catalog";

export const PRODUCT_COLUMNS = [
  "sku",
  "name",
  "description",
  "product_class",
  "unit",
  "billing",
  "unit_price",
  "unit_cost",
  "currency",
  "taxable",
  "active",
] as const;
const REQUIRED = ["sku", "name", "product_class", "billing", "unit_price"] as const;
/** `yearly` is how the cavalier tools present annual billing, so their output reads back in. */
export const PRODUCT_BILLING = ["monthly", "annual", "yearly", "one_time"] as const;

/** Documented defaults for optional columns (README "Importing your data"). */
export const PRODUCT_DEFAULTS = {
  description: "",
  unit: "each",
  unitCost: "0",
  taxable: true,
  active: true,
} as const;

const BILLING: Record<(typeof PRODUCT_BILLING)[number], Pick<CatalogEntry, "billingType" | "billingPeriod">> = {
  monthly: { billingType: "recurring", billingPeriod: "month" },
  annual: { billingType: "recurring", billingPeriod: "year" },
  yearly: { billingType: "recurring", billingPeriod: "year" },
  one_time: { billingType: "one_time", billingPeriod: null },
};

/** Product fields that every row of one SKU must repeat identically (prices differ per currency). */
const SHARED_FIELDS = [
  "name",
  "description",
  "productClass",
  "unit",
  "billingType",
  "billingPeriod",
  "taxable",
  "active",
] as const;

/**
 * The catalog an import writes into: the tenant named, else the importer's own. A client tenant has no catalog of
 * its own (it buys from its MSP's: cavalier's catalog rule), so naming one is refused with the tenant to use.
 */
function catalogOwner(ctx: PrepareContext): TenantRow | ImportProblem {
  const owner = ctx.target ?? ctx.tenants.find((t) => t.id === ctx.homeTenantId) ?? null;
  if (!owner)
    return { message: "name the tenant whose catalog this is (--tenant, or tenant= in the API): an MSP's id or name" };
  if (catalogOwnerOf(owner) !== owner.id) {
    const parent = ctx.tenants.find((t) => t.id === catalogOwnerOf(owner));
    return {
      message: `${owner.name} [${owner.id}] is a client tenant and sells from its MSP's catalog; import products into ${parent ? `${parent.name} [${parent.id}]` : "its MSP"}`,
    };
  }
  return owner;
}

/** Parses and validates the rows (pure): one entry per SKU, with one price per currency. */
export function parseProductsCsv(
  text: string,
  defaultCurrency: string,
): { ok: true; entries: CatalogEntry[]; records: number } | { ok: false; problems: ImportProblem[]; records: number } {
  const parsed = parseCsvTable(text, { columns: PRODUCT_COLUMNS, required: REQUIRED });
  if (!parsed.ok) return { ok: false, problems: parsed.problems, records: 0 };
  const { table } = parsed;
  const decimalComma = table.delimiter === ";";
  const problems: ImportProblem[] = [];
  const bySku = new Map<string, CatalogEntry>();
  const priceLines = new Map<string, number>();
  for (const record of table.records) {
    const r = new RecordReader(table, record, problems);
    const before = problems.length;
    const sku = storable(r, "sku", r.required("sku", "the product's SKU"), 128);
    const name = storable(r, "name", r.required("name", "the product's name"), 500);
    const description = storable(r, "description", r.optional("description")) ?? PRODUCT_DEFAULTS.description;
    const productClass = r.oneOf("product_class", PRODUCT_CLASSES);
    const unit = r.oneOf("unit", PRODUCT_UNITS, PRODUCT_DEFAULTS.unit);
    const billing = r.oneOf("billing", PRODUCT_BILLING);
    const currency = (r.optional("currency") ?? defaultCurrency).toUpperCase();
    if (!isKnownCurrency(currency)) r.problem("currency", `"${currency}" is not an ISO 4217 currency code such as USD`);
    const taxable = r.boolean("taxable", PRODUCT_DEFAULTS.taxable);
    const active = r.boolean("active", PRODUCT_DEFAULTS.active);
    const money = (column: "unit_price" | "unit_cost", value: string | undefined) => {
      if (value === undefined || !isKnownCurrency(currency)) return undefined;
      const m = decimalToMinor(value, currency, decimalComma);
      if (!m.ok) r.problem(column, `"${value}" is not ${m.expected}`);
      return m.ok ? m.minor : undefined;
    };
    const unitPriceMinor = money("unit_price", r.required("unit_price", "the price in the currency's major unit"));
    const unitCostMinor = money("unit_cost", r.optional("unit_cost") ?? PRODUCT_DEFAULTS.unitCost);
    if (problems.length > before) continue;

    const key = sku!.toLowerCase();
    const priceKey = `${key}\u0000${currency}`;
    const firstPrice = priceLines.get(priceKey);
    if (firstPrice !== undefined) {
      r.problem(
        "currency",
        `${sku} already has a ${currency} price on line ${firstPrice}; one row per SKU and currency`,
      );
      continue;
    }
    priceLines.set(priceKey, record.line);
    const entry: CatalogEntry = {
      line: record.line,
      sku: sku!,
      name: name!,
      description,
      productClass: productClass!,
      unit: unit!,
      ...BILLING[billing!],
      taxable,
      active,
      prices: [{ line: record.line, currency, unitPriceMinor: unitPriceMinor!, unitCostMinor: unitCostMinor! }],
    };
    const first = bySku.get(key);
    if (!first) {
      bySku.set(key, entry);
      continue;
    }
    const differs = SHARED_FIELDS.filter((f) => first[f] !== entry[f]);
    if (differs.length > 0 || first.sku !== entry.sku) {
      r.problem(
        "sku",
        `${sku} is also on line ${first.line} with a different ${first.sku !== entry.sku ? "spelling of the SKU" : differs.join(", ")}; every row of one SKU must repeat its product fields (only currency and prices vary)`,
      );
      continue;
    }
    first.prices.push(entry.prices[0]!);
  }
  if (problems.length > 0) return { ok: false, problems, records: table.records.length };
  return { ok: true, entries: [...bySku.values()], records: table.records.length };
}

export const productsKind: ImportKind = csvKind({
  name: "products",
  summary: "the MSP's product catalog (CSV: sku, name, description, product_class, unit, billing, unit_price, ...)",
  async prepareText(text, ctx) {
    const owner = catalogOwner(ctx);
    if (!("id" in owner)) return { ok: false, records: 0, problems: [owner] };
    const parsed = parseProductsCsv(text, owner.currency);
    if (!parsed.ok) return parsed;
    const upsert = await planCatalogUpsert(ctx.db, owner.id, parsed.entries, ctx.now);
    return { ok: true, plan: { ...upsert, records: parsed.records, tenantIds: [owner.id], notes: [] } };
  },
});
