import type { QuotePricing } from "./pricing";

/**
 * The quantities a quote title states ("Operations Pro rollout — 42 seats", "Microsoft 365 backup for 18 users"),
 * kept true when a revision changes them. Pure.
 *
 * The rule: a number followed by the unit of one of the quote's lines (singular or plural: seat/seats,
 * user/users, hour/hours) is a statement about that line's quantity. On a revision each such statement is
 * rewritten with the quantity of the same SKU in the new version. When a statement cannot be carried over (no
 * line of that unit had that quantity, two lines could be meant, or the line is gone), the title is replaced by
 * the quantity-free default title, so a title never states a quantity the quote does not have. Numbers followed
 * by any other word ("Microsoft 365 backup", "2026 renewal") are not quantities and stay as they are.
 */

type Line = Pick<QuotePricing["lines"][number], "sku" | "unit" | "quantity" | "description">;

const NUMBER_AND_WORD = /\b(\d{1,3}(?:,\d{3})+|\d+)(\s+)([A-Za-z]+)\b/g;

function singular(word: string): string {
  const w = word.toLowerCase();
  if (w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.endsWith("es") && /(s|x|z|ch|sh)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !w.endsWith("ss")) return w.slice(0, -1);
  return w;
}

function plural(unit: string): string {
  if (/[^aeiou]y$/.test(unit)) return `${unit.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(unit)) return `${unit}es`;
  return `${unit}s`;
}

/** The default title of a quote with these lines: the first line's product, with no quantity in it. */
export function defaultQuoteTitle(lines: readonly Pick<Line, "description">[], tenantName: string): string {
  return `${lines[0]!.description}${lines.length > 1 ? " and more" : ""} for ${tenantName}`;
}

/** Whether the title states any line quantity (a number followed by one of the lines' units). */
export function statesQuantities(title: string, lines: readonly Line[]): boolean {
  const units = new Set(lines.map((l) => singular(l.unit)));
  for (const m of title.matchAll(NUMBER_AND_WORD)) if (units.has(singular(m[3]!))) return true;
  return false;
}

/**
 * The title of a revision whose lines go from `before` to `after`: the quantities it states follow the lines, or,
 * when one cannot, the default title of the new lines.
 */
export function revisedQuoteTitle(
  title: string,
  before: readonly Line[],
  after: readonly Line[],
  tenantName: string,
): string {
  const units = new Set(before.map((l) => singular(l.unit)));
  let carried = true;
  const next = title.replace(NUMBER_AND_WORD, (whole, digits: string, space: string, word: string) => {
    const unit = singular(word);
    if (!units.has(unit)) return whole;
    const n = Number(digits.replace(/,/g, ""));
    const stated = before.filter((l) => singular(l.unit) === unit && l.quantity === n);
    const skus = new Set(stated.map((l) => l.sku));
    const now = after.filter((l) => skus.has(l.sku));
    if (skus.size !== 1 || now.length !== 1) {
      carried = false;
      return whole;
    }
    const m = now[0]!.quantity;
    const isPlural = word.toLowerCase() !== unit;
    const noun = m === 1 ? (isPlural ? unit : word) : isPlural ? word : plural(unit);
    return `${m.toLocaleString("en-US")}${space}${noun}`;
  });
  return carried ? next : defaultQuoteTitle(after, tenantName);
}
