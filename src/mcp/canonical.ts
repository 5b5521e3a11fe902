import { sha256Hex } from "../shared/crypto";

/**
 * Canonical JSON: object keys sorted, `undefined` members dropped, arrays in order. Two argument objects that
 * mean the same thing hash the same, whatever order the client serialized them in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** SHA-256 of the canonical arguments: what a confirmation is bound to. */
export function hashArguments(args: unknown): string {
  return sha256Hex(canonicalJson(args));
}
