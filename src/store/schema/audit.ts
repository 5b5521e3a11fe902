import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Append-only, hash-chained audit log. Each row's `hash` is SHA-256 over the previous row's hash
 * and this row's canonical content, so editing or deleting a row breaks the chain at that row
 * (`cavaridge audit verify`). `seq` is the chain order.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    at: integer("at").notNull(),
    /** oauth | mcp | admin | system */
    kind: text("kind").notNull(),
    /** e.g. oauth.token.refresh, cavalier.create_quote */
    action: text("action").notNull(),
    outcome: text("outcome").notNull(),
    requestId: text("request_id"),
    surface: text("surface"),
    tool: text("tool"),
    userId: text("user_id"),
    tenantId: text("tenant_id"),
    clientId: text("client_id"),
    grantId: text("grant_id"),
    ip: text("ip"),
    latencyMs: integer("latency_ms"),
    /** Redacted, size-capped JSON of arguments or event details. Never a secret. */
    detail: text("detail"),
    /** For a `confirmed` call: the audit id of the `confirmation_required` call it confirmed. */
    confirmsId: text("confirms_id"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_at_idx").on(t.at),
    index("audit_tenant_at_idx").on(t.tenantId, t.at),
    index("audit_surface_at_idx").on(t.surface, t.at),
  ],
);
