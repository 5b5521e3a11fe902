/**
 * Quote pricing: pure functions, no I/O, the clock passed in. Money is integer minor units (cents, pence)
 * with an ISO 4217 currency, as Stripe's `unit_amount`; rates and discounts are basis points.
 *
 * Rounding rule (documented once, here):
 * - a line's total is quantity × unit price × (1 − discount), rounded half up to the minor unit;
 * - totals are kept in three buckets that never mix: one-time, recurring monthly, recurring annual
 *   (Pax8 initial/recurring, Stripe upfront/recurring);
 * - tax is computed ONCE per bucket on the sum of that bucket's taxable line totals, rounded half up to the
 *   minor unit (invoice-level rounding, which HMRC VAT Notice 700 §16.3 and US state rules both permit).
 *   So 3 × $0.05 at 7.25% is round(15 × 0.0725) = 1 cent, not 3 × round(0.3625) = 0 cents.
 * All products are computed in BigInt so no intermediate value loses precision.
 */

export type BillingType = "one_time" | "recurring";
export type BillingPeriod = "month" | "year";

export interface PricingLine {
  productId: string | null;
  sku: string;
  description: string;
  unit: string;
  billingType: BillingType;
  /** null for one-time lines. */
  billingPeriod: BillingPeriod | null;
  quantity: number;
  unitPriceMinor: number;
  /** 0..10000 */
  discountBps: number;
  taxable: boolean;
}

export interface PricedLine extends PricingLine {
  lineNo: number;
  /** quantity × unit price before discount. */
  grossMinor: number;
  lineTotalMinor: number;
}

export interface Bucket {
  subtotalMinor: number;
  taxableMinor: number;
  taxMinor: number;
  totalMinor: number;
}

export interface QuotePricing {
  currency: string;
  taxRateBps: number;
  lines: PricedLine[];
  oneTime: Bucket;
  recurringMonthly: Bucket;
  recurringAnnual: Bucket;
  discountMinor: number;
  taxMinor: number;
  /** One-time + first month + first year of annual lines, tax included: the first invoice. */
  totalMinor: number;
}

/**
 * Limits on what a quote may hold. Each line stays exact on its own (100,000 × 10,000,000,000 = 10^15 < 2^53), but
 * fifty such lines do not, so the sums are kept in BigInt and a quote whose total (or any other amount) would pass
 * `maxAmountMinor` is refused rather than rounded: every amount on the wire is a JSON number that is exactly the
 * integer computed (RFC 8259 §6: beyond 2^53 − 1 numbers are not interoperable).
 */
export const PRICING_LIMITS = {
  maxLines: 50,
  maxQuantity: 100_000,
  maxUnitPriceMinor: 100_000_000_00,
  maxBps: 10_000,
  maxAmountMinor: Number.MAX_SAFE_INTEGER,
} as const;

export class PricingError extends Error {
  readonly code = "invalid_pricing";
}

/** round(n / d) with halves rounded up, for n >= 0, d > 0. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new PricingError("divRoundHalfUp needs n >= 0 and d > 0");
  return (2n * n + d) / (2n * d);
}

/** Tax on a base amount at `bps` basis points, rounded half up to the minor unit. */
export function taxOn(baseMinor: number, bps: number): number {
  return Number(divRoundHalfUp(BigInt(baseMinor) * BigInt(bps), 10_000n));
}

function checkLine(line: PricingLine, index: number): void {
  const where = `lines[${index}]`;
  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > PRICING_LIMITS.maxQuantity) {
    throw new PricingError(`${where}.quantity must be a whole number from 1 to ${PRICING_LIMITS.maxQuantity}`);
  }
  if (
    !Number.isInteger(line.unitPriceMinor) ||
    line.unitPriceMinor < 0 ||
    line.unitPriceMinor > PRICING_LIMITS.maxUnitPriceMinor
  ) {
    throw new PricingError(
      `${where}.unit_price_minor must be a whole number of minor units from 0 to ${PRICING_LIMITS.maxUnitPriceMinor}`,
    );
  }
  if (!Number.isInteger(line.discountBps) || line.discountBps < 0 || line.discountBps > PRICING_LIMITS.maxBps) {
    throw new PricingError(`${where}.discount_bps must be a whole number from 0 to 10000`);
  }
  if ((line.billingType === "recurring") !== (line.billingPeriod !== null)) {
    throw new PricingError(`${where}: recurring lines need a billing period and one-time lines must not have one`);
  }
}

interface BigBucket {
  subtotal: bigint;
  taxable: bigint;
}

/** A BigInt amount as a number, refused (never rounded) past PRICING_LIMITS.maxAmountMinor. */
function exact(amount: bigint, what: string): number {
  if (amount > BigInt(PRICING_LIMITS.maxAmountMinor))
    throw new PricingError(
      `the quote's ${what} would be ${amount} minor units, more than ${PRICING_LIMITS.maxAmountMinor} ` +
        `(the largest amount kept exact); split the lines over several quotes`,
    );
  return Number(amount);
}

/** Prices a set of lines in one currency at one tax rate. Throws PricingError on an impossible line. */
export function priceQuote(input: {
  currency: string;
  taxRateBps: number;
  lines: readonly PricingLine[];
}): QuotePricing {
  if (input.lines.length === 0) throw new PricingError("a quote needs at least one line");
  if (input.lines.length > PRICING_LIMITS.maxLines)
    throw new PricingError(`a quote has at most ${PRICING_LIMITS.maxLines} lines`);
  if (!Number.isInteger(input.taxRateBps) || input.taxRateBps < 0 || input.taxRateBps > PRICING_LIMITS.maxBps) {
    throw new PricingError("tax rate must be 0..10000 basis points");
  }
  // Every sum is BigInt; numbers come out only through exact(), once the final amounts are known.
  const buckets = {
    oneTime: { subtotal: 0n, taxable: 0n },
    monthly: { subtotal: 0n, taxable: 0n },
    annual: { subtotal: 0n, taxable: 0n },
  };
  let discount = 0n;
  const lines = input.lines.map((line, i): PricedLine => {
    checkLine(line, i);
    const gross = BigInt(line.quantity) * BigInt(line.unitPriceMinor);
    const total = divRoundHalfUp(gross * BigInt(10_000 - line.discountBps), 10_000n);
    discount += gross - total;
    const bucket: BigBucket =
      line.billingType === "one_time"
        ? buckets.oneTime
        : line.billingPeriod === "year"
          ? buckets.annual
          : buckets.monthly;
    bucket.subtotal += total;
    if (line.taxable) bucket.taxable += total;
    return { ...line, lineNo: i + 1, grossMinor: Number(gross), lineTotalMinor: Number(total) };
  });
  const taxRate = BigInt(input.taxRateBps);
  const taxes = [buckets.oneTime, buckets.monthly, buckets.annual].map((b) =>
    divRoundHalfUp(b.taxable * taxRate, 10_000n),
  );
  const [oneTimeTax, monthlyTax, annualTax] = taxes as [bigint, bigint, bigint];
  const grand =
    buckets.oneTime.subtotal + buckets.monthly.subtotal + buckets.annual.subtotal + oneTimeTax + monthlyTax + annualTax;
  // The first-invoice total bounds every bucket amount and tax; the discount is bounded separately.
  const totalMinor = exact(grand, "first invoice total");
  const discountMinor = exact(discount, "discount");
  const bucketOf = (b: BigBucket, tax: bigint): Bucket => ({
    subtotalMinor: Number(b.subtotal),
    taxableMinor: Number(b.taxable),
    taxMinor: Number(tax),
    totalMinor: Number(b.subtotal + tax),
  });
  return {
    currency: input.currency,
    taxRateBps: input.taxRateBps,
    lines,
    oneTime: bucketOf(buckets.oneTime, oneTimeTax),
    recurringMonthly: bucketOf(buckets.monthly, monthlyTax),
    recurringAnnual: bucketOf(buckets.annual, annualTax),
    discountMinor,
    taxMinor: Number(oneTimeTax + monthlyTax + annualTax),
    totalMinor,
  };
}

export const DAY_MS = 86_400_000;
export const DEFAULT_VALID_DAYS = 30;
export const MAX_VALID_DAYS = 365;

/** valid_until for a quote issued at `now`: the end of the last valid day is not modelled; it is now + days. */
export function validUntilFrom(now: number, validDays: number): number {
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > MAX_VALID_DAYS) {
    throw new PricingError(`valid_days must be a whole number from 1 to ${MAX_VALID_DAYS}`);
  }
  return now + validDays * DAY_MS;
}

export type QuoteStatus = "draft" | "sent" | "accepted" | "declined" | "expired" | "superseded" | "void";

/**
 * The status a reader sees: a draft or sent quote past valid_until reads as `expired` (expiry is time-driven,
 * never a user action, as Stripe's `expires_at` and Kaseya Quote Manager's expiry).
 */
export function effectiveQuoteStatus(stored: QuoteStatus, validUntil: number, now: number): QuoteStatus {
  if ((stored === "draft" || stored === "sent") && validUntil <= now) return "expired";
  return stored;
}

/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENTS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

const formatters = new Map<string, (value: number) => string>();

/**
 * The exact decimal string of an integer amount of minor units ("8999909999100009", 2 → "89999099991000.09").
 * Intl.NumberFormat formats a decimal string exactly (ECMA-402 "Intl.NumberFormat v3", string as exact decimal);
 * dividing the number by 100 first would round at this magnitude.
 */
function decimalOf(amountMinor: number, digits: number): string {
  const negative = amountMinor < 0;
  const text = BigInt(Math.abs(amountMinor))
    .toString()
    .padStart(digits + 1, "0");
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${body}` : body;
}

/** "$65.00", "£78.00", "¥500": for people reading a preview; amount_minor stays the source of truth. */
export function formatMoney(amountMinor: number, currency: string): string {
  let f = formatters.get(currency);
  if (!f) {
    const digits = currencyExponent(currency);
    try {
      const nf = new Intl.NumberFormat("en-US", {
        style: "currency",
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
      f = (v) => nf.format(decimalOf(v, digits) as Intl.StringNumericLiteral);
    } catch {
      const nf = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
      f = (v) => `${currency} ${nf.format(decimalOf(v, digits) as Intl.StringNumericLiteral)}`;
    }
    formatters.set(currency, f);
  }
  return f(amountMinor);
}
