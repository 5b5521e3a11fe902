import { and, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { oauthCodes, oauthLoginThrottle, oauthRefreshTokens, oauthSessions } from "../store/schema/oauth";

/** Rows kept this long after they stop mattering, so a replay shortly after expiry is still recognised. */
const GRACE_MS = 24 * 3600_000;

/**
 * Deletes dead rows: expired codes, expired or long-retired refresh tokens, expired sign-in sessions and stale
 * throttle counters. Grants are never deleted here (the admin page and audit refer to them).
 */
export async function purgeExpired(db: DbLike, now: number, lockoutMs: number): Promise<number> {
  const cutoff = now - GRACE_MS;
  const codes = await db
    .delete(oauthCodes)
    .where(lt(oauthCodes.expiresAt, cutoff))
    .returning({ k: oauthCodes.codeHash });
  const tokens = await db
    .delete(oauthRefreshTokens)
    .where(
      or(
        lt(oauthRefreshTokens.expiresAt, cutoff),
        and(isNotNull(oauthRefreshTokens.retiredAt), lt(oauthRefreshTokens.retiredAt, now - 30 * GRACE_MS)),
      ),
    )
    .returning({ k: oauthRefreshTokens.tokenHash });
  const sessions = await db
    .delete(oauthSessions)
    .where(lt(oauthSessions.expiresAt, now))
    .returning({ k: oauthSessions.idHash });
  const throttle = await db
    .delete(oauthLoginThrottle)
    .where(
      and(
        lt(oauthLoginThrottle.windowStart, now - lockoutMs),
        or(isNull(oauthLoginThrottle.lockedUntil), lt(oauthLoginThrottle.lockedUntil, now)),
      ),
    )
    .returning({ k: oauthLoginThrottle.key });
  return codes.length + tokens.length + sessions.length + throttle.length;
}
