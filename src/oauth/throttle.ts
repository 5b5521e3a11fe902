import { eq, inArray } from "drizzle-orm";
import type { Config } from "../config/schema";
import type { DbLike } from "../store/index";
import { oauthLoginThrottle } from "../store/schema/oauth";

/**
 * Sign-in throttling per account and per address. The counters live in the database because several appliance
 * processes share it. An account locks after `login_max_failures` failures within the lockout window; an address
 * after four times as many (a shared NAT should not lock a whole office on one person's typos).
 */
export function throttleKeys(email: string, ip: string): { account: string; address: string } {
  return { account: `acct:${email.trim().toLowerCase()}`, address: `ip:${ip}` };
}

/** The time until which sign-in is refused for these keys, or null. */
export async function lockedUntil(db: DbLike, keys: string[], now: number): Promise<number | null> {
  const rows = await db.select().from(oauthLoginThrottle).where(inArray(oauthLoginThrottle.key, keys));
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil ?? 0));
  return until > now ? until : null;
}

export async function recordLoginFailure(
  db: DbLike,
  config: Config,
  keys: { account: string; address: string },
  now: number,
): Promise<void> {
  const windowMs = config.oauth.login_lockout_seconds * 1000;
  const limits: [string, number][] = [
    [keys.account, config.oauth.login_max_failures],
    [keys.address, config.oauth.login_max_failures * 4],
  ];
  await db.transaction(async (tx) => {
    for (const [key, max] of limits) {
      const [row] = await tx.select().from(oauthLoginThrottle).where(eq(oauthLoginThrottle.key, key)).limit(1);
      const fresh = !row || now - row.windowStart > windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const values = {
        key,
        failures,
        windowStart: fresh ? now : row.windowStart,
        lockedUntil: failures >= max ? now + windowMs : (row?.lockedUntil ?? null),
      };
      await tx
        .insert(oauthLoginThrottle)
        .values(values)
        .onConflictDoUpdate({ target: oauthLoginThrottle.key, set: values });
    }
  });
}

export async function clearLoginFailures(db: DbLike, key: string): Promise<void> {
  await db.delete(oauthLoginThrottle).where(eq(oauthLoginThrottle.key, key));
}
