import { eq, sql } from "drizzle-orm";
import type { Config } from "../config/schema";
import { randomToken } from "../shared/crypto";
import type { DbLike } from "../store/index";
import { oauthLoginThrottle } from "../store/schema/oauth";
import { users } from "../store/schema/tenancy";

/**
 * Password sign-in for every page that takes one (the OAuth sign-in page and the admin console's): one counter per
 * account and one per address, kept in the database so that every process on it shares them.
 *
 * Each attempt first RESERVES a failure in one atomic upsert and only then runs the slow argon2id check, so parallel
 * guesses cannot all pass a "not locked yet" read before any of them is counted (OWASP Authentication Cheat Sheet,
 * "Account lockout"; NIST SP 800-63B §5.2.2 rate limiting). Within `login_lockout_seconds` at most
 * `login_max_failures` password hashes are checked for an account, whichever page the guesses come through; the
 * failure that reaches the limit locks the account for `login_lockout_seconds`. An address gets
 * ADDRESS_FAILURE_FACTOR times the allowance (a shared NAT, or the loopback address every admin shares, must not lock
 * a whole office on one person's typos).
 *
 * Unknown and disabled accounts are counted, locked and timed exactly like real ones (a dummy hash is verified),
 * so neither the answers nor the lockout reveal which accounts exist.
 */

/** Verifies a password against an argon2id hash. Injected so tests can count how many hashes are really checked. */
export type PasswordVerifier = (password: string, hash: string) => Promise<boolean>;

export const argon2Verifier: PasswordVerifier = (password, hash) => Bun.password.verify(password, hash);

const ADDRESS_FAILURE_FACTOR = 4;
/** Longer passwords are refused before hashing: argon2 of megabytes is a cheap way to burn our CPU. */
const MAX_PASSWORD_LENGTH = 1024;

export interface SignInAttempt {
  email: string;
  password: string;
  /** The caller's address (see clientIpFor), or null when unknown. */
  ip: string | null;
}

export type SignInCheck =
  | { ok: true; userId: string }
  | { ok: false; reason: "locked"; retryAfterSeconds: number }
  /** `userId` is set when the account exists (for the audit row only; never shown to the caller). */
  | { ok: false; reason: "bad_credentials"; userId: string | null };

export interface SignInDeps {
  db: DbLike;
  config: Config;
  verify: PasswordVerifier;
}

interface ThrottleKey {
  key: string;
  max: number;
}

function throttleKeys(config: Config, email: string, ip: string | null): ThrottleKey[] {
  const max = config.oauth.login_max_failures;
  return [{ key: `acct:${email}`, max }, ...(ip ? [{ key: `ip:${ip}`, max: max * ADDRESS_FAILURE_FACTOR }] : [])];
}

/** Argon2id hash of a random string: verified when the account is unknown, so timing does not reveal accounts. */
let dummyHash: Promise<string> | null = null;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= Bun.password.hash(randomToken(16), { algorithm: "argon2id" });
  return dummyHash;
}

type Reservation = { granted: true } | { granted: false; retryAfterMs: number };

/**
 * Counts one attempt against `key` in a single statement (SQLite evaluates every SET expression against the old
 * row, so the read and the increment cannot interleave with another process). A locked key is not incremented; a
 * counter past `max` means `max` attempts are already counted or in flight, so this one is refused unchecked and
 * gives its slot back.
 */
async function reserve(db: DbLike, { key, max }: ThrottleKey, now: number, windowMs: number): Promise<Reservation> {
  const t = oauthLoginThrottle;
  const locked = sql`${t.lockedUntil} > ${now}`;
  const expired = sql`${t.windowStart} <= ${now - windowMs}`;
  const [row] = await db
    .insert(t)
    .values({ key, failures: 1, windowStart: now, lockedUntil: null })
    .onConflictDoUpdate({
      target: t.key,
      set: {
        failures: sql`CASE WHEN ${locked} THEN ${t.failures} WHEN ${expired} THEN 1 ELSE ${t.failures} + 1 END`,
        windowStart: sql`CASE WHEN ${locked} THEN ${t.windowStart} WHEN ${expired} THEN ${now} ELSE ${t.windowStart} END`,
      },
    })
    .returning({ failures: t.failures, windowStart: t.windowStart, lockedUntil: t.lockedUntil });
  if (!row) return { granted: false, retryAfterMs: windowMs };
  if (row.lockedUntil !== null && row.lockedUntil > now) return { granted: false, retryAfterMs: row.lockedUntil - now };
  if (row.failures > max) {
    // Refused unchecked, so it must not count: only checked passwords are failures.
    await release(db, key);
    return { granted: false, retryAfterMs: row.windowStart + windowMs - now };
  }
  return { granted: true };
}

/** Gives back a reservation that was not used up by a failure. */
async function release(db: DbLike, key: string): Promise<void> {
  const t = oauthLoginThrottle;
  await db
    .update(t)
    .set({ failures: sql`${t.failures} - 1` })
    .where(sql`${t.key} = ${key} AND ${t.failures} > 0`);
}

/** The failure is confirmed: a key whose count reached its limit locks for the lockout period. */
async function lockIfExhausted(db: DbLike, { key, max }: ThrottleKey, now: number, windowMs: number): Promise<void> {
  const t = oauthLoginThrottle;
  await db
    .update(t)
    .set({ lockedUntil: now + windowMs })
    .where(
      sql`${t.key} = ${key} AND ${t.failures} >= ${max} AND (${t.lockedUntil} IS NULL OR ${t.lockedUntil} < ${now + windowMs})`,
    );
}

/**
 * Checks an email and password under the shared throttle. Disabled accounts fail exactly like a wrong password.
 * Does not create a session and does not audit: each page does both in its own words.
 */
export async function checkPasswordSignIn(deps: SignInDeps, attempt: SignInAttempt, now: number): Promise<SignInCheck> {
  const { db, config } = deps;
  const email = attempt.email.trim().toLowerCase();
  const windowMs = config.oauth.login_lockout_seconds * 1000;
  const keys = throttleKeys(config, email, attempt.ip);
  const reserved: string[] = [];
  for (const k of keys) {
    const r = await reserve(db, k, now, windowMs);
    if (!r.granted) {
      for (const key of reserved) await release(db, key);
      return { ok: false, reason: "locked", retryAfterSeconds: Math.max(1, Math.ceil(r.retryAfterMs / 1000)) };
    }
    reserved.push(k.key);
  }

  const [row] = await db
    .select({ id: users.id, hash: users.passwordHash, disabled: users.disabled })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  const hash = row && !row.disabled ? row.hash : await dummyPasswordHash();
  const password = attempt.password;
  let valid = false;
  if (password.length > 0 && password.length <= MAX_PASSWORD_LENGTH) {
    valid = await deps.verify(password, hash).catch(() => false);
  }
  if (!row || row.disabled || !valid) {
    for (const k of keys) await lockIfExhausted(db, k, now, windowMs);
    return { ok: false, reason: "bad_credentials", userId: row?.id ?? null };
  }
  // The right password ends the account's streak of failures; the address keeps its other failures.
  await db.delete(oauthLoginThrottle).where(eq(oauthLoginThrottle.key, keys[0]!.key));
  for (const k of keys.slice(1)) await release(db, k.key);
  return { ok: true, userId: row.id };
}
