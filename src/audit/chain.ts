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
