import type { Client } from "@libsql/client";
import { verifyAuditChain, type VerifyResult } from "../audit/log";

/**
 * verifyAuditChain walks the whole chain, so pages reuse a result for a short while instead of walking it on
 * every view. A broken chain is never cached as intact: tampering shows within CACHE_MS.
 */
const CACHE_MS = 30_000;
let cached: { at: number; client: Client; result: VerifyResult } | null = null;

export async function auditChainStatus(client: Client, now: number): Promise<VerifyResult> {
  if (cached && cached.client === client && now - cached.at < CACHE_MS && now >= cached.at) return cached.result;
  const result = await verifyAuditChain(client);
  cached = { at: now, client, result };
  return result;
}
