import { and, eq, gt, lt } from "drizzle-orm";
import type { Config } from "../config/schema";
import { constantTimeEqual, randomToken, sha256Hex } from "../shared/crypto";
import type { DbLike } from "../store/index";
import { oauthSessions } from "../store/schema/oauth";
import { parseCookies } from "./http";

/** Sign-in sessions for the authorization pages: the cookie holds a random id, the database only its hash. */
export const SESSION_TTL_MS = 8 * 3600_000;

function secure(config: Config): boolean {
  return config.server.public_url.startsWith("https:");
}

/** `__Host-` prefix when served over https (cookie bound to this host, Secure, Path=/). */
export function cookieName(config: Config, base: "session" | "csrf"): string {
  return secure(config) ? `__Host-cavaridge_${base}` : `cavaridge_${base}`;
}

/** HttpOnly, SameSite=Lax (the sign-in POST and the redirect back to /oauth/authorize are same-site), Secure on https. */
export function cookieHeader(config: Config, base: "session" | "csrf", value: string, maxAgeSeconds: number): string {
  return [
    `${cookieName(config, base)}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAgeSeconds}`,
    ...(secure(config) ? ["Secure"] : []),
  ].join("; ");
}

export async function createSession(db: DbLike, userId: string, now: number): Promise<string> {
  const id = randomToken(32);
  await db
    .insert(oauthSessions)
    .values({ idHash: sha256Hex(id), userId, createdAt: now, expiresAt: now + SESSION_TTL_MS });
  // Opportunistic cleanup keeps the table small without a timer.
  await db.delete(oauthSessions).where(lt(oauthSessions.expiresAt, now));
  return id;
}

/** The signed-in user id of this request, or null. */
export async function sessionUserId(db: DbLike, config: Config, request: Request, now: number): Promise<string | null> {
  const id = parseCookies(request.headers.get("cookie")).get(cookieName(config, "session"));
  if (!id || id.length > 200) return null;
  const [row] = await db
    .select({ userId: oauthSessions.userId })
    .from(oauthSessions)
    .where(and(eq(oauthSessions.idHash, sha256Hex(id)), gt(oauthSessions.expiresAt, now)))
    .limit(1);
  return row?.userId ?? null;
}

/**
 * CSRF protection for both forms: a random token in an HttpOnly SameSite=Lax cookie, repeated in a hidden field
 * (double submit). Returns the request's token, or a fresh one plus the Set-Cookie to send.
 */
export function csrfTokenFor(config: Config, request: Request): { token: string; setCookie: string | null } {
  const existing = parseCookies(request.headers.get("cookie")).get(cookieName(config, "csrf"));
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { token: existing, setCookie: null };
  const token = randomToken(32);
  return { token, setCookie: cookieHeader(config, "csrf", token, 3600 * 12) };
}

export function csrfValid(config: Config, request: Request, form: URLSearchParams): boolean {
  const cookie = parseCookies(request.headers.get("cookie")).get(cookieName(config, "csrf"));
  const field = form.get("csrf_token");
  return !!cookie && !!field && constantTimeEqual(cookie, field);
}

/**
 * Binds the consent form to the exact authorization request it displayed: a POST whose parameters were altered
 * (e.g. another redirect_uri) no longer matches (docs/mcp-client-compat.md D8, maxkuminov/obsidian-mcp#4).
 */
export function consentBinding(csrf: string, userId: string, fields: Record<string, string>): string {
  const canonical = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n");
  return sha256Hex(`${csrf}\n${userId}\n${canonical}`);
}
