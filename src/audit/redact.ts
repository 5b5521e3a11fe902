/** Keys whose values never reach the audit log or the logs (tokens, secrets, passwords, codes). */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|code_verifier|^code$|assertion|api[_-]?key/i;
export const AUDIT_DETAIL_MAX_CHARS = 4096;

function redact(value: unknown, depth: number): unknown {
  if (depth > 8) return "[depth]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
    return out;
  }
  if (typeof value === "string" && value.length > 500) return `${value.slice(0, 500)}…`;
  return value;
}

/** Redacts secret-bearing keys and caps the JSON at AUDIT_DETAIL_MAX_CHARS. Pure. */
export function redactDetail(detail: unknown): string | null {
  if (detail === undefined || detail === null) return null;
  const json = JSON.stringify(redact(detail, 0));
  if (json.length <= AUDIT_DETAIL_MAX_CHARS) return json;
  return JSON.stringify({ truncated: true, preview: json.slice(0, AUDIT_DETAIL_MAX_CHARS - 64) });
}
