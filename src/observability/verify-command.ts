import type { Client } from "@libsql/client";
import { readFileSync } from "node:fs";
import { verifyAuditChain } from "../audit/log";
import { loadConfigOrReport, parseFlags, resolveConfigPath, UsageError, type Command } from "../cli/args";
import { openStore } from "../store/index";
import {
  CheckpointError,
  checkpointVerificationKeys,
  extractCheckpointJws,
  verifyCheckpoint,
  type CheckpointClaims,
} from "./checkpoint";
import { hashAt, restoreRowAtOrBefore } from "./stream/store";
import { GENESIS_EPOCH } from "./stream/records";

export type CheckpointVerdict =
  | { ok: true; claims: CheckpointClaims; rows: number }
  | { ok: false; claims: CheckpointClaims | null; problem: string };

/**
 * Checks the local log against a checkpoint a SIEM holds: the signature (any signing key the appliance ever had),
 * then that the row at the checkpoint's seq still has the checkpoint's hash, in the same epoch, and that the
 * chain verifies up to it. A rewritten, truncated or re-chained log fails one of these.
 */
export async function verifyAgainstCheckpoint(client: Client, text: string): Promise<CheckpointVerdict> {
  const jws = extractCheckpointJws(text);
  if (!jws)
    return { ok: false, claims: null, problem: "the file holds no checkpoint (a compact JWS or a checkpoint record)" };
  let claims: CheckpointClaims;
  try {
    claims = await verifyCheckpoint(jws, await checkpointVerificationKeys(client));
  } catch (err) {
    if (err instanceof CheckpointError) return { ok: false, claims: null, problem: err.message };
    throw err;
  }
  const local = await hashAt(client, claims.seq);
  if (local === null)
    return { ok: false, claims, problem: `the local log has no row seq=${claims.seq}: it was truncated or restored` };
  if (local !== claims.hash)
    return {
      ok: false,
      claims,
      problem: `row seq=${claims.seq} has hash ${local}, the checkpoint says ${claims.hash}`,
    };
  const epoch = (await restoreRowAtOrBefore(client, claims.seq))?.id ?? GENESIS_EPOCH;
  if (epoch !== claims.epoch)
    return {
      ok: false,
      claims,
      problem: `row seq=${claims.seq} is in epoch ${epoch}, the checkpoint in ${claims.epoch}`,
    };
  const result = await verifyAuditChain(client);
  const broken = result.breaks.filter((b) => b.firstSeq <= claims.seq);
  if (broken.length > 0)
    return {
      ok: false,
      claims,
      problem: `the chain is broken before the checkpoint: ${broken.map((b) => `seq ${b.firstSeq} (${b.reason})`).join(", ")}`,
    };
  return { ok: true, claims, rows: result.rows };
}

/** `cavaridge audit verify --checkpoint FILE` (dispatched from the `audit verify` command). */
export const auditVerifyCheckpointCommand: Command = {
  summary: "verify the local audit chain against a signed checkpoint saved from the audit stream",
  usage: "cavaridge audit verify --checkpoint FILE [--config PATH]",
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: "string" }, checkpoint: { type: "string" } });
    if (values.help) return (io.out(this.usage), 0);
    const file = (values as { checkpoint?: string }).checkpoint;
    if (!file) throw new UsageError("--checkpoint needs a file");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      io.err(`cannot read ${file}: ${(err as Error).message}`);
      return 1;
    }
    const config = loadConfigOrReport(resolveConfigPath((values as { config?: string }).config, io.env), io);
    if (!config) return 1;
    const store = await openStore(config.database.url, io.env[config.database.auth_token_env]);
    try {
      const verdict = await verifyAgainstCheckpoint(store.client, text);
      if (verdict.ok) {
        io.out(
          `checkpoint ok: row seq=${verdict.claims.seq} (epoch ${verdict.claims.epoch}) still has hash ` +
            `${verdict.claims.hash}; chain verifies (${verdict.rows} rows)`,
        );
        return 0;
      }
      io.err(`checkpoint FAILED: ${verdict.problem}`);
      return 2;
    } finally {
      store.close();
    }
  },
};
