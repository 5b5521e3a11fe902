import { sha256Hex } from "../shared/crypto";

export const GENESIS_HASH = "0".repeat(64);

/** The fields covered by the hash chain, in a fixed order. */
export interface ChainedRow {
  id: string;
  at: number;
  kind: string;
  action: string;
  outcome: string;
  requestId: string | null;
  surface: string | null;
  tool: string | null;
  userId: string | null;
  tenantId: string | null;
  clientId: string | null;
  grantId: string | null;
  ip: string | null;
  latencyMs: number | null;
  detail: string | null;
  confirmsId: string | null;
}

/** hash = SHA-256(prev_hash || "\n" || canonical JSON of the row's fields). Pure. */
export function chainHash(prevHash: string, row: ChainedRow): string {
  const canonical = JSON.stringify([
    row.id,
    row.at,
    row.kind,
    row.action,
    row.outcome,
    row.requestId,
    row.surface,
    row.tool,
    row.userId,
    row.tenantId,
    row.clientId,
    row.grantId,
    row.ip,
    row.latencyMs,
    row.detail,
    row.confirmsId,
  ]);
  return sha256Hex(`${prevHash}\n${canonical}`);
}

/**
 * The fields every wire form of a stored row shares (the admin export and the audit stream): snake_case names and
 * the time as ISO 8601. Each form adds its own names for the who-columns and its own `detail`.
 */
export function auditWireFields(row: ChainedRow & { seq: number; hash: string }) {
  return {
    id: row.id,
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    kind: row.kind,
    action: row.action,
    outcome: row.outcome,
    surface: row.surface,
    tool: row.tool,
    request_id: row.requestId,
    ip: row.ip,
    latency_ms: row.latencyMs,
    confirms_id: row.confirmsId,
    hash: row.hash,
  };
}
