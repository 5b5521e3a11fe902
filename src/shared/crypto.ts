import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** SHA-256 hex digest. Codes, refresh tokens, client secrets, session ids and confirmation tokens are stored only as this. */
export function sha256Hex(input: string | Uint8Array): string {
  return createHash("sha256").update(input).digest("hex");
}

/** A URL-safe random secret with `bytes` bytes of entropy (256 bits by default). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** A random identifier with a readable prefix, e.g. `grt_…`. Not a secret. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/**
 * A time-ordered identifier with a readable prefix: `prefix_` and an RFC 9562 UUIDv7 in its hex form (48 bits of
 * Unix milliseconds, then a counter within the millisecond, then random bits; Bun's `randomUUIDv7`). Ids minted later sort later as
 * text, so a unique index over them grows at its right edge: each insert touches the index's last page instead of
 * a random one (RFC 9562 section 6.10 "DBMS and Database Considerations"). For the rows written on every call (the
 * audit log). Not a secret, and it tells when it was minted.
 */
export function newOrderedId(prefix: string): string {
  return `${prefix}_${Bun.randomUUIDv7()}`;
}

/** Constant-time string comparison; unequal lengths return false without leaking where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    // Still spend the comparison so timing does not reveal the length check alone.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}
