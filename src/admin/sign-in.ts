import { eq, sql } from "drizzle-orm";
import type { Config, Role } from "../config/schema";
import type { DbLike } from "../store/index";
import { adminLoginThrottle } from "../store/schema/admin";
import { users } from "../store/schema/tenancy";

/** Roles that may enter the admin console (seed: "MSP Admin, Platform Admin, or Individual Owner"). */
export const ADMIN_ROLES: readonly Role[] = ["platform_admin", "msp_admin", "individual_owner"];

export function mayUseAdminConsole(role: Role): boolean {
  return ADMIN_ROLES.includes(role);
}

export type SignInResult =
  | { ok: true; userId: string; role: Role; tenantId: string }
  | {
      ok: false;
      reason: "bad_credentials" | "locked" | "role_not_admitted";
      userId?: string;
      retryAfterSeconds?: number;
    };

/**
 * A fixed argon2id hash verified when the account does not exist, so an unknown email costs the same time as
 * a wrong password and response timing does not reveal which accounts exist.
 */
let dummyHash: Promise<string> | null = null;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= Bun.password.hash("cavaridge-admin-no-such-user", { algorithm: "argon2id" });
  return dummyHash;
}

const IP_FAILURE_FACTOR = 4;

function throttleKeys(email: string, ip: string | null): string[] {
  return [`acct:${email}`, ...(ip ? [`ip:${ip}`] : [])];
}

/** Seconds until the first lockout among `keys` ends, or 0 when none is locked. */
async function lockedFor(db: DbLike, keys: string[], now: number): Promise<number> {
  let until = 0;
  for (const key of keys) {
    const row = (await db.select().from(adminLoginThrottle).where(eq(adminLoginThrottle.key, key)).limit(1))[0];
    if (row?.lockedUntil && row.lockedUntil > now) until = Math.max(until, row.lockedUntil);
  }
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

/**
 * Counts a failure per account and per address in one upsert each (shared by every process on the database);
 * reaching `login_max_failures` within the lockout window locks the key for `login_lockout_seconds`.
 */
async function recordFailure(db: DbLike, keys: string[], config: Config, now: number): Promise<void> {
  const windowMs = config.oauth.login_lockout_seconds * 1000;
  for (const key of keys) {
    // Every admin on the machine shares the loopback address, so one person's typos must not lock everyone out:
    // an address gets IP_FAILURE_FACTOR times the account allowance.
    const max = key.startsWith("ip:")
      ? config.oauth.login_max_failures * IP_FAILURE_FACTOR
      : config.oauth.login_max_failures;
    await db
      .insert(adminLoginThrottle)
      .values({ key, failures: 1, windowStart: now, lockedUntil: max <= 1 ? now + windowMs : null })
      .onConflictDoUpdate({
        target: adminLoginThrottle.key,
        set: {
          failures: sql`CASE WHEN ${adminLoginThrottle.windowStart} < ${now - windowMs} THEN 1 ELSE ${adminLoginThrottle.failures} + 1 END`,
          windowStart: sql`CASE WHEN ${adminLoginThrottle.windowStart} < ${now - windowMs} THEN ${now} ELSE ${adminLoginThrottle.windowStart} END`,
          lockedUntil: sql`CASE WHEN (CASE WHEN ${adminLoginThrottle.windowStart} < ${now - windowMs} THEN 1 ELSE ${adminLoginThrottle.failures} + 1 END) >= ${max} THEN ${now + windowMs} ELSE ${adminLoginThrottle.lockedUntil} END`,
        },
      });
  }
}

async function clearFailures(db: DbLike, email: string): Promise<void> {
  await db.delete(adminLoginThrottle).where(eq(adminLoginThrottle.key, `acct:${email}`));
}

/**
 * Checks an email and password against the users table (the same accounts as the OAuth sign-in).
 * Disabled users fail exactly like a wrong password. Does not create a session and does not audit: the caller does both.
 */
export async function verifyAdminCredentials(
  db: DbLike,
  config: Config,
  input: { email: string; password: string; ip: string | null },
  now: number,
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, input.ip);
  const retryAfterSeconds = await lockedFor(db, keys, now);
  if (retryAfterSeconds > 0) return { ok: false, reason: "locked", retryAfterSeconds };

  const user = (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];
  const hash = user && !user.disabled ? user.passwordHash : await dummyPasswordHash();
  let valid = false;
  try {
    valid =
      input.password.length > 0 && input.password.length <= 1024 && (await Bun.password.verify(input.password, hash));
  } catch {
    valid = false;
  }
  if (!user || user.disabled || !valid) {
    await recordFailure(db, keys, config, now);
    return { ok: false, reason: "bad_credentials", userId: user?.id };
  }
  await clearFailures(db, email);
  if (!mayUseAdminConsole(user.role)) return { ok: false, reason: "role_not_admitted", userId: user.id };
  return { ok: true, userId: user.id, role: user.role, tenantId: user.tenantId };
}
