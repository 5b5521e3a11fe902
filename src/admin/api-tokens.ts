import { and, desc, eq, isNull } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { adminApiTokens } from "../store/schema/admin";
import { newId, randomToken, sha256Hex } from "../shared/crypto";

/** Prefix that makes a leaked admin token recognisable to secret scanners and people alike. */
export const ADMIN_TOKEN_PREFIX = "cvadm_";

export interface AdminApiTokenInfo {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Creates a token for `userId`; returns the raw token ONCE (only its SHA-256 is stored). */
export async function createAdminApiToken(
  db: DbLike,
  userId: string,
  name: string,
  now: number,
): Promise<{ id: string; token: string }> {
  const token = `${ADMIN_TOKEN_PREFIX}${randomToken(32)}`;
  const id = newId("adt");
  await db.insert(adminApiTokens).values({ id, tokenHash: sha256Hex(token), userId, name, createdAt: now });
  return { id, token };
}

/** The user a live token acts for (recording its use), or null for an unknown or revoked token. */
export async function findAdminApiTokenUser(
  db: DbLike,
  token: string,
  now: number,
): Promise<{ tokenId: string; userId: string } | null> {
  if (!token.startsWith(ADMIN_TOKEN_PREFIX) || token.length > 200) return null;
  const row = (
    await db
      .select({ id: adminApiTokens.id, userId: adminApiTokens.userId, lastUsedAt: adminApiTokens.lastUsedAt })
      .from(adminApiTokens)
      .where(and(eq(adminApiTokens.tokenHash, sha256Hex(token)), isNull(adminApiTokens.revokedAt)))
      .limit(1)
  )[0];
  if (!row) return null;
  // last_used_at at minute granularity: scripts polling every second should not write every second.
  if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) {
    await db.update(adminApiTokens).set({ lastUsedAt: now }).where(eq(adminApiTokens.id, row.id));
  }
  return { tokenId: row.id, userId: row.userId };
}

/** A user's own tokens, newest first (an admin manages only the tokens they created). */
export async function listAdminApiTokens(db: DbLike, userId: string): Promise<AdminApiTokenInfo[]> {
  return db
    .select({
      id: adminApiTokens.id,
      name: adminApiTokens.name,
      createdAt: adminApiTokens.createdAt,
      lastUsedAt: adminApiTokens.lastUsedAt,
      revokedAt: adminApiTokens.revokedAt,
    })
    .from(adminApiTokens)
    .where(eq(adminApiTokens.userId, userId))
    .orderBy(desc(adminApiTokens.createdAt));
}

/** Revokes one of the user's own tokens; false when it is not theirs, unknown, or already revoked. */
export async function revokeAdminApiToken(db: DbLike, userId: string, tokenId: string, now: number): Promise<boolean> {
  const rows = await db
    .update(adminApiTokens)
    .set({ revokedAt: now })
    .where(and(eq(adminApiTokens.id, tokenId), eq(adminApiTokens.userId, userId), isNull(adminApiTokens.revokedAt)))
    .returning({ id: adminApiTokens.id });
  return rows.length > 0;
}
