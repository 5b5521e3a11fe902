import type { Client } from "@libsql/client";
import { MIGRATIONS } from "./migrations.gen";

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies the embedded drizzle-kit migrations in order, each in its own write transaction together with
 * its bookkeeping row, so a crash leaves either the whole migration or none of it. Running it twice
 * changes nothing. Two processes starting at once serialize on the write lock; the loser sees the
 * bookkeeping row inside its transaction and skips.
 */
export async function applyMigrations(client: Client, now: () => number = Date.now): Promise<MigrationResult> {
  // Every start runs this, and nearly every start finds nothing to do: one read says so without taking the write
  // lock once per migration. A migration that is missing (or a table that is not there yet) goes the locked way.
  if (await migrationsComplete(client)) return { applied: [], alreadyApplied: MIGRATIONS.length };
  await client.execute(
    "CREATE TABLE IF NOT EXISTS __cavaridge_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
  );
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of MIGRATIONS) {
    const tx = await client.transaction("write");
    try {
      const seen = await tx.execute({
        sql: "SELECT 1 FROM __cavaridge_migrations WHERE tag = ?",
        args: [migration.tag],
      });
      if (seen.rows.length > 0) {
        alreadyApplied++;
        await tx.rollback();
        continue;
      }
      for (const statement of splitStatements(migration.sql)) await tx.execute(statement);
      await tx.execute({
        sql: "INSERT INTO __cavaridge_migrations (tag, applied_at) VALUES (?, ?)",
        args: [migration.tag, now()],
      });
      await tx.commit();
      applied.push(migration.tag);
    } catch (err) {
      tx.close();
      throw err;
    }
  }
  return { applied, alreadyApplied };
}

/** True when every embedded migration is recorded as applied (readiness). */
export async function migrationsComplete(client: Client): Promise<boolean> {
  try {
    const rows = await client.execute("SELECT tag FROM __cavaridge_migrations");
    const done = new Set(rows.rows.map((r) => String(r.tag)));
    return MIGRATIONS.every((m) => done.has(m.tag));
  } catch {
    return false;
  }
}

function splitStatements(sql: string): string[] {
  return sql
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
