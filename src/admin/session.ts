import { and, eq, gt, lt } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { adminSessions } from "../store/schema/admin";
import { constantTimeEqual, randomToken, sha256Hex } from "../shared/crypto";

/** Cookie carrying the session id. `__Host-` is only usable over https, so the name stays plain on loopback http. */
export const SESSION_COOKIE = "cavaridge_admin";
/** Cookie carrying the pre-sign-in CSRF secret (double-submit for the sign-in form, which has no session yet). */
export const PRE_SESSION_COOKIE = "cavaridge_admin_pre";

/** A session ends after this long without use… */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** …and in any case this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often, so reading pages does not write on every request. */
const SLIDE_GRANULARITY_MS = 5 * 60 * 1000;

export interface AdminSession {
  /** The raw id (from the cookie); never stored. */
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/** Creates a session; returns the raw id for the cookie. Only its SHA-256 is stored. */
export async function createAdminSession(
  db: DbLike,
  userId: string,
  ip: string | null,
  now: number,
): Promise<AdminSession> {
  const id = randomToken(32);
  const expiresAt = now + SESSION_IDLE_MS;
  await db.insert(adminSessions).values({ idHash: sha256Hex(id), userId, createdAt: now, expiresAt, ip });
  // Opportunistic cleanup of expired sessions (cheap: indexed on expires_at).
  await db.delete(adminSessions).where(lt(adminSessions.expiresAt, now));
  return { id, userId, createdAt: now, expiresAt };
}

/** The live session for a raw id, sliding its idle expiry; null when unknown or expired. */
export async function findAdminSession(db: DbLike, id: string, now: number): Promise<AdminSession | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
  const idHash = sha256Hex(id);
  const rows = await db
    .select()
    .from(adminSessions)
    .where(and(eq(adminSessions.idHash, idHash), gt(adminSessions.expiresAt, now)))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  const slid = Math.min(now + SESSION_IDLE_MS, row.createdAt + SESSION_ABSOLUTE_MS);
  let expiresAt = row.expiresAt;
  if (slid - row.expiresAt > SLIDE_GRANULARITY_MS) {
    await db.update(adminSessions).set({ expiresAt: slid }).where(eq(adminSessions.idHash, idHash));
    expiresAt = slid;
  }
  return { id, userId: row.userId, createdAt: row.createdAt, expiresAt };
}

export async function destroyAdminSession(db: DbLike, id: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.idHash, sha256Hex(id)));
}

/** Ends every session of a user (a disabled user, or sign-out everywhere). */
export async function destroyUserSessions(db: DbLike, userId: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.userId, userId));
}

/**
 * The CSRF token of a session: derived from the secret session id, so nothing extra is stored and only a
 * holder of the cookie can compute it (synchronizer-token pattern, OWASP CSRF cheat sheet). The domain
 * prefix keeps it from ever equalling a hash stored in the database.
 */
export function csrfTokenFor(sessionOrPreId: string): string {
  return sha256Hex(`cavaridge-admin-csrf\u0000${sessionOrPreId}`).slice(0, 43);
}

export function verifyCsrfToken(sessionOrPreId: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  return constantTimeEqual(csrfTokenFor(sessionOrPreId), presented);
}

export function newPreSessionSecret(): string {
  return randomToken(24);
}

/** Parses a Cookie header into a map (RFC 6265 §5.4: `name=value` pairs separated by `; `). */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const eqAt = part.indexOf("=");
    if (eqAt <= 0) continue;
    const name = part.slice(0, eqAt).trim();
    const value = part.slice(eqAt + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * A Set-Cookie value for admin cookies: HttpOnly (no script reads it), SameSite=Strict (never sent on a
 * cross-site request, RFC 6265bis §5.4.7), Path=/, and Secure when the page is served over https.
 */
export function adminCookie(name: string, value: string, opts: { secure: boolean; maxAgeSeconds?: number }): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict"];
  if (opts.secure) parts.push("Secure");
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${opts.maxAgeSeconds}`);
  return parts.join("; ");
}
