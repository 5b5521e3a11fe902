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
