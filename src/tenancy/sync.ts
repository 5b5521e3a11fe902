import { and, eq, notInArray } from "drizzle-orm";
import type { Config } from "../config/schema";
import { sha256Hex } from "../shared/crypto";
import type { Clock } from "../shared/clock";
import type { Store } from "../store/index";
import { tenants, users } from "../store/schema/tenancy";

/** Stable user id derived from the (case-folded) email, so config edits keep audit subjects intact. */
export function userIdForEmail(email: string): string {
  return `usr_${sha256Hex(email.trim().toLowerCase()).slice(0, 20)}`;
}

export interface SyncResult {
  tenants: number;
  users: number;
  /** Users that are disabled now (in config, or removed from it). Their grants stop working at once. */
  disabledUserIds: string[];
}

/** Whether `stored` already holds every value of `wanted` (the columns the sync owns). */
function unchanged(stored: Record<string, unknown> | undefined, wanted: Record<string, unknown>): boolean {
  return stored !== undefined && Object.entries(wanted).every(([column, value]) => stored[column] === value);
}

/**
 * Makes the store's tenants and users match the config: added ones appear, changed ones are updated,
 * removed ones are disabled (never deleted, so audit rows keep their subject). One write transaction, which writes
 * only the rows that differ: every start runs this, and a start over an unchanged config then commits nothing
 * (no WAL frame, no fsync) and leaves each row's updatedAt at its last real change.
 */
export async function syncConfigToStore(store: Store, config: Config, clock: Clock): Promise<SyncResult> {
  const now = clock();
  const tenantIds = config.tenants.map((t) => t.id);
  const userIds = config.users.map((u) => userIdForEmail(u.email));
  await store.db.transaction(async (tx) => {
    const storedTenants = new Map((await tx.select().from(tenants)).map((row) => [row.id, row]));
    // Parents first so the self-reference order never matters.
    const ordered = [...config.tenants].sort((a, b) => (a.kind === "msp" ? -1 : 0) - (b.kind === "msp" ? -1 : 0));
    for (const t of ordered) {
      const wanted = {
        id: t.id,
        name: t.name,
        kind: t.kind,
        parentId: t.parent ?? null,
        currency: t.currency,
        taxRateBps: t.tax_rate_bps,
        region: t.region,
        disabled: t.disabled,
      };
      if (unchanged(storedTenants.get(t.id), wanted)) continue;
      const values = { ...wanted, updatedAt: now };
      await tx.insert(tenants).values(values).onConflictDoUpdate({ target: tenants.id, set: values });
    }
    await tx
      .update(tenants)
      .set({ disabled: true, updatedAt: now })
      .where(and(notInArray(tenants.id, tenantIds), eq(tenants.disabled, false)));
    const storedUsers = new Map((await tx.select().from(users)).map((row) => [row.id, row]));
    for (const u of config.users) {
      const wanted = {
        id: userIdForEmail(u.email),
        email: u.email.trim().toLowerCase(),
        name: u.name,
        tenantId: u.tenant,
        role: u.role,
        passwordHash: u.password_hash,
        disabled: u.disabled,
      };
      if (unchanged(storedUsers.get(wanted.id), wanted)) continue;
      const values = { ...wanted, updatedAt: now };
      await tx.insert(users).values(values).onConflictDoUpdate({ target: users.id, set: values });
    }
    const stillEnabled = eq(users.disabled, false);
    await tx
      .update(users)
      .set({ disabled: true, updatedAt: now })
      .where(userIds.length > 0 ? and(notInArray(users.id, userIds), stillEnabled) : stillEnabled);
  });
  const disabled = await store.db.select({ id: users.id }).from(users).where(eq(users.disabled, true));
  return { tenants: tenantIds.length, users: userIds.length, disabledUserIds: disabled.map((d) => d.id) };
}
