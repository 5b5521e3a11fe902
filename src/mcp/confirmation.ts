import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { mcpConfirmations } from "../store/schema/mcp";
import { newId, randomToken, sha256Hex } from "../shared/crypto";

/** What a confirmation is bound to (docs/mcp-client-compat.md 5.3): who, through which client, which call, on what. */
export interface ConfirmationBinding {
  userId: string;
  clientId: string;
  grantId: string;
  surface: string;
  tool: string;
  tenantId: string;
  /** SHA-256 of the caller's sorted allowed tenant ids. */
  scopeHash: string;
  /** SHA-256 of the canonical arguments, without `confirmed` / `confirmation_token`. */
  argsHash: string;
}

export interface ProposedConfirmation {
  id: string;
  /** The raw single-use token: returned to the client once, stored only as its SHA-256. */
  token: string;
  expiresAt: number;
}

/** SHA-256 of a tenant set, order-independent. */
export function hashTenantSet(tenantIds: readonly string[]): string {
  return sha256Hex([...tenantIds].sort().join("\n"));
}

/**
 * Stores a pending confirmation for `binding`; `auditId` is the id of the `confirmation_required` audit row.
 * `tokenRequired`: the proposal answers a `confirmed: true` call that matched nothing, so it can only be redeemed
 * with its token (see consumeConfirmation).
 */
export async function proposeConfirmation(
  db: DbLike,
  binding: ConfirmationBinding,
  auditId: string,
  now: number,
  ttlSeconds: number,
  tokenRequired = false,
): Promise<ProposedConfirmation> {
  const token = `cfm_${randomToken(32)}`;
  const id = newId("cfm");
  const expiresAt = now + ttlSeconds * 1000;
  await db
    .insert(mcpConfirmations)
    .values({ id, tokenHash: sha256Hex(token), ...binding, auditId, createdAt: now, expiresAt, tokenRequired });
  return { id, token, expiresAt };
}

/**
 * Consumes the confirmation that approves this exact call, atomically (`UPDATE … WHERE used_at IS NULL
 * RETURNING`), so two concurrent confirmed calls cannot both run. With a token: only the row with that token
 * hash AND the same binding qualifies. Without one (clients that send only `confirmed: true`, as the product
 * page's flow does): the newest pending, unexpired row with the same binding that was proposed by a normal first
 * call, never one marked `token_required` (proposed in answer to a `confirmed: true` that matched nothing):
 * otherwise a model could approve its own call by sending `confirmed: true` twice, so the token-less path is
 * allowed only for a proposal the user saw (docs/mcp-client-compat.md I6 and §5.3: `confirmed: true` alone never
 * suffices). Returns the audit id of the proposal, or null when nothing
 * matches (changed arguments, expired, already used, another user, client, grant or tenant scope).
 *
 * `{ id }`: the confirmation a 2026-07-28 `requestState` names (its integrity is the codec's; the binding is
 * still compared here, so a state replayed by another user, client or call matches nothing).
 */
export async function consumeConfirmation(
  db: DbLike,
  binding: ConfirmationBinding,
  key: string | { id: string } | undefined,
  now: number,
): Promise<{ id: string; auditId: string } | null> {
  const same = and(
    eq(mcpConfirmations.userId, binding.userId),
    eq(mcpConfirmations.clientId, binding.clientId),
    eq(mcpConfirmations.grantId, binding.grantId),
    eq(mcpConfirmations.surface, binding.surface),
    eq(mcpConfirmations.tool, binding.tool),
    eq(mcpConfirmations.tenantId, binding.tenantId),
    eq(mcpConfirmations.scopeHash, binding.scopeHash),
    eq(mcpConfirmations.argsHash, binding.argsHash),
    isNull(mcpConfirmations.usedAt),
    gt(mcpConfirmations.expiresAt, now),
  );
  let target;
  if (typeof key === "object") {
    target = and(eq(mcpConfirmations.id, key.id), same);
  } else if (key !== undefined) {
    target = and(eq(mcpConfirmations.tokenHash, sha256Hex(key)), same);
  } else {
    const newest = db
      .select({ id: mcpConfirmations.id })
      .from(mcpConfirmations)
      .where(and(same, eq(mcpConfirmations.tokenRequired, false)))
      .orderBy(desc(mcpConfirmations.createdAt))
      .limit(1);
    target = and(sql`${mcpConfirmations.id} = (${newest})`, isNull(mcpConfirmations.usedAt));
  }
  const rows = await db
    .update(mcpConfirmations)
    .set({ usedAt: now })
    .where(target)
    .returning({ id: mcpConfirmations.id, auditId: mcpConfirmations.auditId });
  return rows[0] ?? null;
}

/** Deletes confirmations that expired more than a day ago (housekeeping at start). */
export async function pruneConfirmations(db: DbLike, now: number): Promise<void> {
  await db.delete(mcpConfirmations).where(sql`${mcpConfirmations.expiresAt} < ${now - 86_400_000}`);
}
