/**
 * Strings from requests, made safe to store and to hash. Pure.
 *
 * Two facts about the store drive these rules (measured with @libsql/client over a file):
 * - a TEXT value containing U+0000 is stored whole but read back cut at the NUL;
 * - a lone surrogate (UTF-16 code unit U+D800–U+DFFF without its pair) cannot be encoded as UTF-8, so it is stored
 *   as U+FFFD.
 * A string holding either therefore reads back different from what was written. Everything that must read back
 * exactly (free text, audit rows, whose hash covers their content) is made well-formed BEFORE it is stored.
 */

/** Cc: C0 controls U+0000–U+001F, DEL U+007F and C1 controls U+0080–U+009F (Unicode General_Category=Cc). */
const CONTROL = /\p{Cc}/u;
const CONTROL_CHAR = /^\p{Cc}$/u;

/** Cap of one audit text column, in code points, unless the column names its own. */
export const AUDIT_TEXT_MAX_CODE_POINTS = 200;

/** Marks a value that was cut to its cap. */
export const TRUNCATION_MARK = "…";

/** True when the string holds a lone surrogate: it cannot be stored as UTF-8 (ECMA-262 IsStringWellFormedUnicode). */
export function hasLoneSurrogate(value: string): boolean {
  return !value.isWellFormed();
}

/** True when the string holds a control character (Cc) or a lone surrogate: such a string is never an identifier. */
export function hasControlOrLoneSurrogate(value: string): boolean {
  return CONTROL.test(value) || hasLoneSurrogate(value);
}

/**
 * Why free text cannot be stored exactly, or null when it can. Free text may hold any Unicode text, including
 * controls such as tab and newline, emoji and bidirectional marks; only U+0000 (cut on read) and a lone surrogate
 * (replaced on write) are refused, because what is read back would differ from what was accepted.
 */
export function unstorableTextReason(value: string): string | null {
  if (value.includes("\u0000")) return "contains U+0000 (NUL), which cannot be stored";
  if (hasLoneSurrogate(value)) return "contains an unpaired UTF-16 surrogate, which is not valid Unicode";
  return null;
}

/** `\u00XX`: the escape of one control character, written as six ASCII characters. */
function escapeControl(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * The first `maxCodePoints` code points of `value`; when it is longer, the first `maxCodePoints - 1` followed by
 * TRUNCATION_MARK. Counts code points, not UTF-16 units, so a surrogate pair (an emoji) is never split.
 */
export function capCodePoints(value: string, maxCodePoints: number): string {
  if (value.length <= maxCodePoints) return value; // at most that many units, hence code points
  let out = "";
  let count = 0;
  for (const ch of value) {
    if (count === maxCodePoints) return `${truncateTo(out, maxCodePoints - 1)}${TRUNCATION_MARK}`;
    out += ch;
    count++;
  }
  return out;
}

function truncateTo(value: string, maxCodePoints: number): string {
  let out = "";
  let count = 0;
  for (const ch of value) {
    if (count === maxCodePoints) break;
    out += ch;
    count++;
  }
  return out;
}

/**
 * The stored form of one string in an audit row, whatever the request carried:
 * - every control character (Cc) is written as the six characters `\u00XX` (a backslash is not itself escaped,
 *   so the form is for reading, not for decoding);
 * - every lone surrogate becomes U+FFFD (the WHATWG/Unicode replacement character);
 * - the result is capped at `maxCodePoints` code points, never splitting a surrogate pair.
 * Idempotent: the stored form maps to itself, so a verifier recomputes the hash from exactly what it reads.
 */
export function auditText(value: string, maxCodePoints = AUDIT_TEXT_MAX_CODE_POINTS): string {
  // Nearly every value (ids, names, outcomes) is already in its stored form: well-formed, no control character, and
  // no more UTF-16 units than the cap (so no more code points). The loop below would return it unchanged.
  if (value.length <= maxCodePoints && !CONTROL.test(value) && value.isWellFormed()) return value;
  const wellFormed = value.toWellFormed();
  let out = "";
  let count = 0;
  for (const ch of wellFormed) {
    const piece = CONTROL_CHAR.test(ch) ? escapeControl(ch) : ch;
    const size = piece === ch ? 1 : piece.length;
    if (count + size > maxCodePoints) return `${truncateTo(out, maxCodePoints - 1)}${TRUNCATION_MARK}`;
    out += piece;
    count += size;
  }
  return out;
}

/**
 * The first string (object key or value, at any depth) in a JSON value that cannot be stored exactly, with its
 * path (`lines[0].description`) and why; null when every string is storable. Walks with an explicit stack, so a
 * deeply nested body cannot exhaust the call stack.
 */
export function findUnstorableString(value: unknown): { path: string; reason: string } | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: "" }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === "string") {
      const reason = unstorableTextReason(v);
      if (reason) return { path: path || "arguments", reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]` });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      for (const [key] of entries) {
        const keyReason = unstorableTextReason(key);
        if (keyReason) return { path: path ? `${path} (a key)` : "a key of arguments", reason: keyReason };
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        stack.push({ value: child, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return null;
}
