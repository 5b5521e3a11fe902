import { argon2Verifier } from "../oauth/throttle";
import { and, eq, isNull } from "drizzle-orm";
import { existsSync } from "node:fs";
import { AuditLog } from "../audit/log";
import type { Config } from "../config/schema";
import type { AppContext } from "../context";
import { revokeGrant } from "../oauth/grants";
import type { Clock } from "../shared/clock";
import type { Logger } from "../shared/log";
import { openStore } from "../store/index";
import { oauthGrants } from "../store/schema/oauth";
import { users } from "../store/schema/tenancy";
import { userIdForEmail } from "../tenancy/sync";

/** The database file of a `file:` URL, or null for a libSQL server. */
export function databaseFile(url: string): string | null {
  return url.startsWith("file:") ? url.slice("file:".length).replace(/^\/\/(localhost)?/, "") : null;
}

/** False only for a `file:` database that does not exist yet (a config written before the first start). */
export function databaseExists(config: Config): boolean {
  const file = databaseFile(config.database.url);
  return file === null || existsSync(file);
}

export interface StoreUserChange {
  /** False when there is no database yet: the next start syncs the config. */
  applied: boolean;
  revokedGrants: number;
}

/**
 * Applies a user change to the database at once, without waiting for a reload: the row is updated and, when the
 * user is disabled, every live grant is revoked (one audit row each). Every process refuses the user's tokens on its
 * next request, because the bearer check reads the user and grant rows live (src/oauth/bearer.ts).
 */
export async function applyUserChange(
  config: Config,
  env: Record<string, string | undefined>,
  deps: { clock: Clock; log: Logger },
  email: string,
  change: { disabled?: true; passwordHash?: string },
): Promise<StoreUserChange> {
  if (!databaseExists(config)) return { applied: false, revokedGrants: 0 };
  const store = await openStore(config.database.url, env[config.database.auth_token_env]);
  const audit = new AuditLog(store.db, deps.clock, deps.log);
  try {
    const userId = userIdForEmail(email);
    const now = deps.clock();
    const set = {
      ...(change.disabled ? { disabled: true } : {}),
      ...(change.passwordHash ? { passwordHash: change.passwordHash } : {}),
      updatedAt: now,
    };
    const updated = await store.db.update(users).set(set).where(eq(users.id, userId)).returning({ id: users.id });
    if (updated.length === 0 || !change.disabled) return { applied: updated.length > 0, revokedGrants: 0 };
    const ctx: AppContext = {
      config,
      store,
      clock: deps.clock,
      log: deps.log,
      audit,
      passwordVerifier: argon2Verifier,
    };
    const live = await store.db
      .select({ id: oauthGrants.id })
      .from(oauthGrants)
      .where(and(eq(oauthGrants.userId, userId), isNull(oauthGrants.revokedAt)));
    let revoked = 0;
    for (const g of live) if (await revokeGrant(ctx, g.id, { actor: "admin", reason: "user_disabled_cli" })) revoked++;
    return { applied: true, revokedGrants: revoked };
  } finally {
    await audit.flush();
    store.close();
  }
}
