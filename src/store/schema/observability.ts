import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * How far each audit sink has acknowledged the stream: the last (seq, hash) it took. Keyed by the sink's name,
 * so the forwarder resumes there after a restart or an outage. The hash lets it notice that `seq` now names a
 * different row (the database was restored from a backup) instead of silently skipping rows.
 */
export const auditSinkPositions = sqliteTable("audit_sink_positions", {
  sinkId: text("sink_id").primaryKey(),
  seq: integer("seq").notNull(),
  hash: text("hash").notNull(),
  /** The epoch (see src/observability/stream/epoch.ts) of the row at `seq`. */
  epoch: text("epoch").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * A lease per named job held by at most one process at a time: several appliance processes on one database
 * elect one audit forwarder; another takes over when the holder stops renewing.
 */
export const observabilityLeases = sqliteTable("observability_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: integer("expires_at").notNull(),
});
