import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A password for a human to type once and change: 20 random bytes, base64url (160 bits). */
export function generatePassword(): string {
  return randomBytes(20).toString("base64url");
}

/** argon2id, the hash the config's password_hash accepts (RFC 9106; Bun.password's parameters). */
export async function hashPassword(password: string): Promise<string> {
  return await Bun.password.hash(password, { algorithm: "argon2id" });
}

/**
 * Writes a secret to a new owner-only file (mode 0600). Exclusive create: an existing file is never replaced,
 * so a second run cannot orphan what the first one wrote. Throws EEXIST when the file is there.
 */
export function writeSecretFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
}

/** The master secret in the format src/oauth/keys.ts creates on first start: 32 random bytes, base64url. */
export function newMasterSecret(): string {
  return `${randomBytes(32).toString("base64url")}\n`;
}
