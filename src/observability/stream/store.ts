import type { Client, Row } from "@libsql/client";
import { GENESIS_EPOCH, RESTORE_ACTION, type StoredAuditRow } from "./records";

/** The job name of the audit forwarder's lease. */
export const FORWARDER_LEASE = "audit-forwarder";

/**
 * Takes or renews the lease `name` for `holder` until `now + ttlMs`. One statement, so two processes racing for an
 * expired lease cannot both win (SQLite serializes writes; the loser's WHERE finds a live lease held by another).
 */
export async function acquireLease(
  client: Client,
  name: string,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const res = await client.execute({
    sql: `INSERT INTO observability_leases (name, holder, expires_at) VALUES (?, ?, ?)
          ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
          WHERE observability_leases.holder = excluded.holder OR observability_leases.expires_at <= ?
          RETURNING holder`,
    args: [name, holder, now + ttlMs, now],
  });
  return res.rows.length === 1 && String(res.rows[0]!.holder) === holder;
}

/** Gives the lease up at shutdown, so another process takes over at once instead of after the TTL. */
export async function releaseLease(client: Client, name: string, holder: string): Promise<void> {
  await client.execute({ sql: "DELETE FROM observability_leases WHERE name = ? AND holder = ?", args: [name, holder] });
}

export interface SinkPosition {
  seq: number;
  hash: string;
  epoch: string;
}

export const START_POSITION: SinkPosition = { seq: 0, hash: "", epoch: GENESIS_EPOCH };

export async function readPosition(client: Client, sinkId: string): Promise<SinkPosition | null> {
  const res = await client.execute({
    sql: "SELECT seq, hash, epoch FROM audit_sink_positions WHERE sink_id = ?",
    args: [sinkId],
  });
  const row = res.rows[0];
  return row ? { seq: Number(row.seq), hash: String(row.hash), epoch: String(row.epoch) } : null;
}

/**
 * Stores what the sink acknowledged, only while `holder` still holds the forwarder lease: a process that lost the
 * lease mid-batch (paused, partitioned) cannot move the position under the new holder. Returns false then.
 */
export async function writePosition(
  client: Client,
  sinkId: string,
  position: SinkPosition,
  holder: string,
  now: number,
): Promise<boolean> {
  const res = await client.execute({
    sql: `INSERT INTO audit_sink_positions (sink_id, seq, hash, epoch, updated_at)
          SELECT ?, ?, ?, ?, ? WHERE EXISTS (
            SELECT 1 FROM observability_leases WHERE name = ? AND holder = ? AND expires_at > ?)
          ON CONFLICT(sink_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, epoch = excluded.epoch,
            updated_at = excluded.updated_at
          RETURNING sink_id`,
    args: [sinkId, position.seq, position.hash, position.epoch, now, FORWARDER_LEASE, holder, now],
  });
  return res.rows.length === 1;
}

export async function readRowsAfter(client: Client, seq: number, limit: number): Promise<StoredAuditRow[]> {
  const res = await client.execute({
    sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
    args: [seq, limit],
  });
  return res.rows.map(toStoredRow);
}

export async function hashAt(client: Client, seq: number): Promise<string | null> {
  const res = await client.execute({ sql: "SELECT hash FROM audit_log WHERE seq = ?", args: [seq] });
  return res.rows[0] ? String(res.rows[0].hash) : null;
}

/** The latest `system.restore` row at or before `seq` (the start of the epoch `seq` belongs to), if any. */
export async function restoreRowAtOrBefore(client: Client, seq: number): Promise<{ seq: number; id: string } | null> {
  const res = await client.execute({
    sql: "SELECT seq, id FROM audit_log WHERE action = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
    args: [RESTORE_ACTION, seq],
  });
  const row = res.rows[0];
  return row ? { seq: Number(row.seq), id: String(row.id) } : null;
}

export async function headSeq(client: Client): Promise<number> {
  const res = await client.execute("SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_log");
  return Number(res.rows[0]!.seq);
}

export async function atOf(client: Client, seq: number): Promise<number | null> {
  const res = await client.execute({ sql: "SELECT at FROM audit_log WHERE seq = ?", args: [seq] });
  return res.rows[0] ? Number(res.rows[0].at) : null;
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function toStoredRow(r: Row): StoredAuditRow {
  return {
    seq: Number(r.seq),
    id: String(r.id),
    at: Number(r.at),
    kind: String(r.kind),
    action: String(r.action),
    outcome: String(r.outcome),
    requestId: str(r.request_id),
    surface: str(r.surface),
    tool: str(r.tool),
    userId: str(r.user_id),
    tenantId: str(r.tenant_id),
    clientId: str(r.client_id),
    grantId: str(r.grant_id),
    ip: str(r.ip),
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
    detail: str(r.detail),
    confirmsId: str(r.confirms_id),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}
