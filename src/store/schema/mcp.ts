import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Pending confirmations of destructive tool calls (docs/mcp-client-compat.md 5.3). The token itself is never stored,
 * only its SHA-256. A row is bound to the user, client, grant, surface, tool, tenant scope and the SHA-256 of
 * the canonical arguments; it is consumed once (`used_at` set by `UPDATE … WHERE used_at IS NULL RETURNING`).
 */
export const mcpConfirmations = sqliteTable(
  "mcp_confirmations",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id").notNull(),
    clientId: text("client_id").notNull(),
    grantId: text("grant_id").notNull(),
    surface: text("surface").notNull(),
    tool: text("tool").notNull(),
    /** The tenant the call acts on (its tenant_id argument, else the user's home tenant). */
    tenantId: text("tenant_id").notNull(),
    /** SHA-256 of the caller's allowed tenant set when proposed: a scope change invalidates the proposal. */
    scopeHash: text("scope_hash").notNull(),
    argsHash: text("args_hash").notNull(),
    /** The audit id of the `confirmation_required` call; the confirmed call's audit row points at it. */
    auditId: text("audit_id").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    /**
     * 1 when the proposal answered a `confirmed: true` call that matched nothing: the model asked to run without
     * a proposal the user saw, so only the token (which the client passes back after showing it) redeems it;
     * otherwise a model could self-approve by sending `confirmed: true` twice (docs/mcp-client-compat.md I6).
     */
    tokenRequired: integer("token_required", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("mcp_confirmations_match_idx").on(t.userId, t.clientId, t.tool, t.argsHash),
    index("mcp_confirmations_expires_idx").on(t.expiresAt),
  ],
);
