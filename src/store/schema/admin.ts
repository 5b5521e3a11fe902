import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Admin console state. Session ids and API tokens are secrets: only their SHA-256 hex digests are stored,
 * so a copy of the database cannot be replayed against the admin listener.
 */

/** Signed-in admin browser sessions (cookie `cavaridge_admin`). */
export const adminSessions = sqliteTable(
  "admin_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Sliding: extended on use, never beyond createdAt + the absolute lifetime. */
    expiresAt: integer("expires_at").notNull(),
    ip: text("ip"),
  },
  (t) => [index("admin_sessions_expires_idx").on(t.expiresAt), index("admin_sessions_user_idx").on(t.userId)],
);

/** Bearer tokens for the admin JSON API, created from the page. They act with their creator's role and scope. */
export const adminApiTokens = sqliteTable(
  "admin_api_tokens",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id").notNull(),
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("admin_api_tokens_user_idx").on(t.userId)],
);

/** Failed admin sign-ins per account and per address (shared by every process on the database). */
export const adminLoginThrottle = sqliteTable("admin_login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStart: integer("window_start").notNull(),
  lockedUntil: integer("locked_until"),
});
