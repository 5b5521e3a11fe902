import { createClient, type Client } from "@libsql/client";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { AuditLog, describeChainBreaks, verifyAuditChain } from "../audit/log";
import type { Config } from "../config/schema";
import { decryptPrivateJwk, loadMasterKey, MASTER_KEY_ENV } from "../oauth/keys";
import type { Clock } from "../shared/clock";
import type { Logger } from "../shared/log";
import { schema } from "../store/schema/index";
import { OpsError, requireFileDatabase } from "./backup";
import { LEASE_PREFIX, liveServerLeases } from "./lease";

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The last audit row (seq, hash), or null on an empty log. Reads only; verification is verifyAuditChain's job. */
export async function auditChainHead(client: Client): Promise<ChainHead | null> {
  const res = await client.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  const row = res.rows[0];
  return row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
}

export interface RestoreResult {
  database: string;
  /** Where the replaced database was moved, or null when there was none. */
  previous: string | null;
  /** Chain head of the database that was replaced (null when there was none, or its log was empty). */
  replacedHead: ChainHead | null;
  backupHead: ChainHead | null;
  revokedGrants: number;
  retiredRefreshTokens: number;
  auditRows: number;
}

/**
 * Puts a backup in place of the configured file database. Order matters: everything is checked and prepared on a
 * private copy beside the target, and the target is only swapped (two renames in one directory) at the end, so a
 * refusal at any step leaves the current database as it was.
 *
 * - Refuses while a server holds a fresh lease on the current database (src/ops/lease.ts).
 * - Refuses a backup whose audit chain does not verify, or whose signing keys the configured master key cannot
 *   decrypt (the appliance could not sign a token with them).
 * - Revokes every grant and retires every refresh token in the copy, and drops sign-in sessions: a backup brings
 *   back credentials that were revoked after it was taken, and the only safe assumption is that all were.
 * - Appends a `system.restore` audit row to the copy's chain naming both heads: the backup's own, which the row
 *   links to, and the replaced database's, so an auditor can join the two histories.
 */
export async function restoreDatabase(
  config: Config,
  env: Record<string, string | undefined>,
  backupPath: string,
  deps: { clock: Clock; log: Logger },
): Promise<RestoreResult> {
  const target = requireFileDatabase(config, "restore");
  if (!existsSync(backupPath)) throw new OpsError("not_a_backup", `${backupPath}: file not found`);

  let replacedHead: ChainHead | null = null;
  if (existsSync(target)) {
    const current = createClient({ url: `file:${target}` });
    try {
      const live = await liveServerLeases(current, deps.clock()).catch(() => []);
      if (live.length > 0)
        throw new OpsError(
          "server_running",
          `a server is using ${target} (${live.map((l) => l.holder).join(", ")}): stop it first (systemctl ` +
            `stop cavaridge). A server that crashed stops counting 30 s after its last heartbeat.`,
        );
      replacedHead = await auditChainHead(current).catch(() => null);
      // Fold the WAL into the file, so the copy moved aside below is complete on its own.
      await current.execute("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => {});
    } finally {
      current.close();
    }
  }

  const staging = join(dirname(target), `.${basename(target)}.restore-${process.pid}`);
  mkdirSync(dirname(target), { recursive: true });
  rmSync(staging, { force: true });
  copyFileSync(backupPath, staging);
  chmodSync(staging, 0o600);
  const copy = createClient({ url: `file:${staging}` });
  let result: Omit<RestoreResult, "previous" | "database">;
  try {
    try {
      await copy.execute("SELECT 1 FROM audit_log LIMIT 1");
    } catch (err) {
      throw new OpsError("not_a_backup", `${backupPath} is not a Cavaridge database: ${(err as Error).message}`);
    }
    const verified = await verifyAuditChain(copy);
    if (!verified.ok)
      throw new OpsError(
        "broken_chain",
        `the backup's audit chain does not verify: ${describeChainBreaks(verified.breaks).join("; ")}`,
      );
    checkMasterKey(config, env, await copy.execute("SELECT kid, private_jwk_enc FROM oauth_signing_keys"));

    const backupHead = verified.head;
    const now = deps.clock();
    const db = drizzle(copy, { schema });
    const audit = new AuditLog(db, deps.clock, deps.log);
    let revokedGrants = 0;
    let retiredRefreshTokens = 0;
    await db.transaction(async (tx) => {
      const grants = await tx.run(
        sql`UPDATE oauth_grants SET revoked_at = ${now}, revoked_reason = 'restored_from_backup' WHERE revoked_at IS NULL`,
      );
      revokedGrants = grants.rowsAffected;
      const refresh = await tx.run(sql`UPDATE oauth_refresh_tokens SET retired_at = ${now} WHERE retired_at IS NULL`);
      retiredRefreshTokens = refresh.rowsAffected;
      await tx.run(sql`UPDATE oauth_codes SET consumed_at = ${now} WHERE consumed_at IS NULL`);
      await tx.run(sql`DELETE FROM oauth_sessions`);
      await tx.run(sql`DELETE FROM admin_sessions`);
      await tx.run(sql`DELETE FROM store_meta WHERE key LIKE ${`${LEASE_PREFIX}%`}`);
      await audit.appendInTransaction(tx, {
        kind: "system",
        action: "system.restore",
        outcome: "ok",
        detail: {
          backup_file: basename(backupPath),
          backup_head: backupHead,
          replaced_head: replacedHead,
          revoked_grants: revokedGrants,
          retired_refresh_tokens: retiredRefreshTokens,
        },
      });
    });
    // A self-contained file (no -wal beside it) can be renamed into place safely.
    await copy.execute("PRAGMA journal_mode=DELETE");
    const after = await verifyAuditChain(copy);
    result = { replacedHead, backupHead, revokedGrants, retiredRefreshTokens, auditRows: after.rows };
  } catch (err) {
    copy.close();
    rmSync(staging, { force: true });
    throw err;
  }
  copy.close();

  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.pre-restore-${new Date(deps.clock()).toISOString().replace(/[:.]/g, "-")}`;
    renameSync(target, previous);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
  }
  renameSync(staging, target);
  return { database: target, previous, ...result };
}

function checkMasterKey(
  config: Config,
  env: Record<string, string | undefined>,
  keys: { rows: ArrayLike<Record<string, unknown>> },
): void {
  if (!env[MASTER_KEY_ENV]?.trim() && !existsSync(config.secrets.master_key_file))
    throw new OpsError(
      "master_key",
      `no master key at ${config.secrets.master_key_file} (nor ${MASTER_KEY_ENV}): restore the key that was in use when the backup was taken first`,
    );
  const key = loadMasterKey(config, env);
  for (const row of Array.from(keys.rows)) {
    try {
      decryptPrivateJwk(key, String(row.kid), String(row.private_jwk_enc));
    } catch (err) {
      throw new OpsError("master_key", `${(err as Error).message}; nothing was changed`);
    }
  }
}
