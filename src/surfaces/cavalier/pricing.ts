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

/** Limits that keep every amount exact (well inside 2^53) and quotes readable. */
export const PRICING_LIMITS = {
  maxLines: 50,
  maxQuantity: 100_000,
  maxUnitPriceMinor: 100_000_000_00,
  maxBps: 10_000,
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

function emptyBucket(): Bucket {
  return { subtotalMinor: 0, taxableMinor: 0, taxMinor: 0, totalMinor: 0 };
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
  const oneTime = emptyBucket();
  const monthly = emptyBucket();
  const annual = emptyBucket();
  let discountMinor = 0;
  const lines = input.lines.map((line, i): PricedLine => {
    checkLine(line, i);
    const gross = BigInt(line.quantity) * BigInt(line.unitPriceMinor);
    const total = divRoundHalfUp(gross * BigInt(10_000 - line.discountBps), 10_000n);
    const priced: PricedLine = { ...line, lineNo: i + 1, grossMinor: Number(gross), lineTotalMinor: Number(total) };
    discountMinor += priced.grossMinor - priced.lineTotalMinor;
    const bucket = line.billingType === "one_time" ? oneTime : line.billingPeriod === "year" ? annual : monthly;
    bucket.subtotalMinor += priced.lineTotalMinor;
    if (line.taxable) bucket.taxableMinor += priced.lineTotalMinor;
    return priced;
  });
  for (const b of [oneTime, monthly, annual]) {
    b.taxMinor = taxOn(b.taxableMinor, input.taxRateBps);
    b.totalMinor = b.subtotalMinor + b.taxMinor;
  }
  return {
    currency: input.currency,
    taxRateBps: input.taxRateBps,
    lines,
    oneTime,
    recurringMonthly: monthly,
    recurringAnnual: annual,
    discountMinor,
    taxMinor: oneTime.taxMinor + monthly.taxMinor + annual.taxMinor,
    totalMinor: oneTime.totalMinor + monthly.totalMinor + annual.totalMinor,
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
      f = (v) => nf.format(v);
    } catch {
      const nf = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
      f = (v) => `${currency} ${nf.format(v)}`;
    }
    formatters.set(currency, f);
  }
  return f(amountMinor / 10 ** currencyExponent(currency));
}
