import { auditText, capCodePoints } from "../shared/text";

/** Keys whose values never reach the audit log or the logs (tokens, secrets, passwords, codes). */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|code_verifier|^code$|assertion|api[_-]?key/i;
export const AUDIT_DETAIL_MAX_CHARS = 4096;
/** Cap of one string value inside the detail, in code points. */
const DETAIL_STRING_MAX_CODE_POINTS = 500;
/** Cap of one object key inside the detail, in code points. */
const DETAIL_KEY_MAX_CODE_POINTS = 100;

function redact(value: unknown, depth: number): unknown {
  if (depth > 8) return "[depth]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[auditText(k, DETAIL_KEY_MAX_CODE_POINTS)] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
    return out;
  }
  // Every string is stored in its audit form (src/shared/text.ts): controls escaped, lone surrogates replaced.
  if (typeof value === "string") return auditText(value, DETAIL_STRING_MAX_CODE_POINTS);
  return value;
}

/**
 * Redacts secret-bearing keys, puts every key and string in its audit form (auditText) and caps the JSON at
 * AUDIT_DETAIL_MAX_CHARS. The result is well-formed and free of control characters, so it reads back from the
 * store exactly as written. Pure.
 */
export function redactDetail(detail: unknown): string | null {
  if (detail === undefined || detail === null) return null;
  const json = JSON.stringify(redact(detail, 0));
  if (json === undefined) return null;
  if (json.length <= AUDIT_DETAIL_MAX_CHARS) return json;
  // The preview is re-escaped as a JSON string (quotes and backslashes double), so shrink it until the row fits.
  for (let keep = AUDIT_DETAIL_MAX_CHARS - 64; ; keep = Math.floor(keep * 0.75)) {
    const out = JSON.stringify({ truncated: true, preview: capCodePoints(json, keep) });
    if (out.length <= AUDIT_DETAIL_MAX_CHARS) return out;
  }
}
