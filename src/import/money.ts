import { currencyExponent } from "../surfaces/cavalier/pricing";

/** ISO 4217 codes the runtime's ICU knows (ECMA-402 Intl.supportedValuesOf("currency")). */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

export type MinorUnits = { ok: true; minor: number } | { ok: false; expected: string };

/**
 * An exact decimal string in the currency's major unit ("12.50") to integer minor units (1250), by the currency's
 * ISO 4217 exponent (the same table quotes are priced with). No float ever holds the amount: digits are joined
 * as text and read as a BigInt. More decimals than the exponent allows are an error unless they are zeros
 * ("12.505" USD is refused, "12.500" is 12.50); JPY takes none. With `decimalComma` (a `;`-delimited file, as
 * Excel writes where the comma is the decimal separator) "12,50" is accepted too. No sign, no thousands
 * separators, no currency symbols: each would be a guess.
 */
export function decimalToMinor(text: string, currency: string, decimalComma: boolean): MinorUnits {
  const exponent = currencyExponent(currency);
  const example = exponent === 0 ? "1250" : `12${decimalComma ? "," : "."}${"5".padEnd(exponent, "0")}`;
  const expected =
    exponent === 0
      ? `a whole number of ${currency} (it has no minor unit), e.g. ${example}`
      : `a decimal amount of ${currency} with at most ${exponent} decimals, e.g. ${example}`;
  const m = (decimalComma ? /^(\d+)(?:[.,](\d+))?$/ : /^(\d+)(?:\.(\d+))?$/).exec(text.trim());
  if (!m) return { ok: false, expected };
  const fraction = m[2] ?? "";
  if (fraction.length > exponent && /[^0]/.test(fraction.slice(exponent))) return { ok: false, expected };
  const minor = BigInt(m[1]! + fraction.slice(0, exponent).padEnd(exponent, "0"));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, expected: `${expected} (this amount is too large)` };
  return { ok: true, minor: Number(minor) };
}
