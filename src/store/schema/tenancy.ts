import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Tenants and users are owned by the TOML config and synced into the store at every start. */
export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind", { enum: ["msp", "client", "individual"] }).notNull(),
  parentId: text("parent_id"),
  currency: text("currency").notNull(),
  taxRateBps: integer("tax_rate_bps").notNull().default(0),
  region: text("region").notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The tenant_id column of a row that belongs to one tenant: required, and a foreign key to tenants. Queries filter
 * on it through a TenantScope (src/tenancy/scope.ts). A function, so each table gets its own column builder.
 */
export const tenantIdColumn = () =>
  text("tenant_id")
    .notNull()
    .references(() => tenants.id);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    tenantId: tenantIdColumn(),
    role: text("role", { enum: ["platform_admin", "msp_admin", "individual_owner", "technician"] }).notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Disabled by config, or removed from config (kept so audit rows keep their subject). */
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("users_tenant_idx").on(t.tenantId)],
);

/** Key/value facts about the store itself (schema generation, seed markers). */
export const storeMeta = sqliteTable("store_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull().default(sql`(unixepoch())`),
});
