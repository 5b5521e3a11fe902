import { createClient, type Client } from "@libsql/client";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type ChainBreak, verifyAuditChain } from "../audit/log";
import type { Config } from "../config/schema";
import { openStore } from "../store/index";
import { databaseFile } from "./users";

/** Backup and restore work on the embedded file only; a libSQL server is backed up by the server (README "Operate"). */
export class OpsError extends Error {
  constructor(
    readonly code:
      | "server_database"
      | "no_database"
      | "target_exists"
      | "server_running"
      | "master_key"
      | "broken_chain"
      | "not_a_backup",
    message: string,
  ) {
    super(message);
  }
}

export function requireFileDatabase(config: Config, command: string): string {
  const file = databaseFile(config.database.url);
  if (file === null)
    throw new OpsError(
      "server_database",
      `${command} works on an embedded file: database; ${config.database.url.replace(/\/\/[^@/]*@/, "//")} ` +
        `is a libSQL server, whose backups are the server's job (README "Operate": scale out on a libSQL server)`,
    );
  return resolve(file);
}

/** Row count of every table, by name (sqlite_* and drizzle's bookkeeping aside). */
export async function tableCounts(client: Client): Promise<Record<string, number>> {
  const tables = await client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' ORDER BY name",
  );
  const counts: Record<string, number> = {};
  for (const t of tables.rows) {
    const name = String(t.name);
    const res = await client.execute(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`);
    counts[name] = Number(res.rows[0]?.n ?? 0);
  }
  return counts;
}

export interface BackupResult {
  path: string;
  auditRows: number;
  auditOk: boolean;
  /** The copy's broken ranges, from verifyAuditChain (empty when auditOk). */
  auditBreaks: ChainBreak[];
  counts: Record<string, number>;
}

/**
 * A consistent online copy of the database: `VACUUM INTO` reads one snapshot inside a read transaction, so writers
 * (this process or others, WAL mode) carry on, and every transaction committed before it began is in the copy
 * (https://www.sqlite.org/lang_vacuum.html#vacuuminto). The copy is then opened on its own and its audit chain
 * verified. The file is created owner-only; it holds password hashes and encrypted signing keys.
 */
export async function backupDatabase(
  config: Config,
  env: Record<string, string | undefined>,
  out: string,
): Promise<BackupResult> {
  const source = requireFileDatabase(config, "backup");
  if (!existsSync(source)) throw new OpsError("no_database", `no database at ${source} yet: nothing to back up`);
  const target = resolve(out);
  if (existsSync(target)) throw new OpsError("target_exists", `${target} already exists; choose a new file`);
  mkdirSync(dirname(target), { recursive: true });
  const store = await openStore(config.database.url, env[config.database.auth_token_env]);
  try {
    await store.client.execute({ sql: "VACUUM INTO ?", args: [target] });
  } finally {
    store.close();
  }
  chmodSync(target, 0o600);
  const copy = createClient({ url: `file:${target}` });
  try {
    const verified = await verifyAuditChain(copy);
    return {
      path: target,
      auditRows: verified.rows,
      auditOk: verified.ok,
      auditBreaks: verified.breaks,
      counts: await tableCounts(copy),
    };
  } finally {
    copy.close();
  }
}
