import { auditWireFields, type ChainedRow } from "../../audit/chain";

/** An audit row as stored: the chained fields plus its position in the chain. */
export interface StoredAuditRow extends ChainedRow {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The epoch of rows written before any restore. After a restore `seq` goes back and the same numbers name new
 * rows, so every streamed row carries the epoch it belongs to: the audit id of the latest `system.restore` row at or
 * before it. A receiver keys rows by (epoch, seq) and never mistakes a new row for a duplicate of an old one.
 */
export const GENESIS_EPOCH = "genesis";
export const RESTORE_ACTION = "system.restore";

/** One audit row on the wire (JSON lines and the syslog MSG part). Field names are snake_case, as in the export. */
export interface AuditRecord {
  type: "audit";
  epoch: string;
  seq: number;
  id: string;
  at: string;
  kind: string;
  action: string;
  outcome: string;
  surface: string | null;
  tool: string | null;
  tenant: string | null;
  user: string | null;
  client: string | null;
  grant: string | null;
  request_id: string | null;
  ip: string | null;
  latency_ms: number | null;
  confirms_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** A signed statement of the chain head: `jws` is a compact JWS (typ audit-checkpoint+jwt) over epoch, seq, hash. */
export interface CheckpointRecord {
  type: "checkpoint";
  epoch: string;
  seq: number;
  hash: string;
  at: string;
  jws: string;
}

export type StreamRecord = AuditRecord | CheckpointRecord;

export function toAuditRecord(row: StoredAuditRow, epoch: string): AuditRecord {
  return {
    type: "audit",
    epoch,
    ...auditWireFields(row),
    tenant: row.tenantId,
    user: row.userId,
    client: row.clientId,
    grant: row.grantId,
    detail: row.detail,
    prev_hash: row.prevHash,
  };
}

/**
 * Tags rows with their epoch, starting from `epoch` (the epoch of the row before the first one): a
 * `system.restore` row opens a new epoch named by its own id. Pure.
 */
export function withEpochs(rows: readonly StoredAuditRow[], epoch: string): { records: AuditRecord[]; epoch: string } {
  let current = epoch;
  const records = rows.map((row) => {
    if (row.action === RESTORE_ACTION) current = row.id;
    return toAuditRecord(row, current);
  });
  return { records, epoch: current };
}
