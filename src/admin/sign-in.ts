import type { Config, Role } from "../config/schema";
import { checkPasswordSignIn, type PasswordVerifier } from "../oauth/throttle";
import type { DbLike } from "../store/index";
import { users } from "../store/schema/tenancy";
import { eq } from "drizzle-orm";

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
 * Checks an email and password against the users table (the same accounts as the OAuth sign-in), under the same
 * per-account and per-address counters as the OAuth sign-in page (src/oauth/throttle.ts): guesses spread over both
 * pages count once. Disabled users fail exactly like a wrong password. Does not create a session and does not
 * audit: the caller does both.
 */
export async function verifyAdminCredentials(
  deps: { db: DbLike; config: Config; verify: PasswordVerifier },
  input: { email: string; password: string; ip: string | null },
  now: number,
): Promise<SignInResult> {
  const checked = await checkPasswordSignIn(deps, input, now);
  if (!checked.ok) {
    return checked.reason === "locked"
      ? { ok: false, reason: "locked", retryAfterSeconds: checked.retryAfterSeconds }
      : { ok: false, reason: "bad_credentials", userId: checked.userId ?? undefined };
  }
  const user = (await deps.db.select().from(users).where(eq(users.id, checked.userId)).limit(1))[0];
  if (!user) return { ok: false, reason: "bad_credentials" };
  if (!mayUseAdminConsole(user.role)) return { ok: false, reason: "role_not_admitted", userId: user.id };
  return { ok: true, userId: user.id, role: user.role, tenantId: user.tenantId };
}
