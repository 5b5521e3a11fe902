import type { Client } from "@libsql/client";
import { desc } from "drizzle-orm";
import type { Db, DbLike } from "../store/index";
import { auditLog } from "../store/schema/audit";
import type { Clock } from "../shared/clock";
import { newId } from "../shared/crypto";
import type { Logger } from "../shared/log";
import { chainHash, GENESIS_HASH, type ChainedRow } from "./chain";
import { redactDetail } from "./redact";

export type AuditKind = "oauth" | "mcp" | "admin" | "system";

export interface AuditEvent {
  kind: AuditKind;
  /** What happened, dotted: `oauth.token.refresh`, `cavalier.create_quote`, `admin.connection.revoke`. */
  action: string;
  /** `ok`, `tool_error`, `invalid_input`, `confirmation_required`, `confirmed`, `denied_cross_tenant`, `denied_scope`, `unauthorized`, `failed`, … */
  outcome: string;
  requestId?: string | null;
  surface?: string | null;
  tool?: string | null;
  userId?: string | null;
  tenantId?: string | null;
  clientId?: string | null;
  grantId?: string | null;
  ip?: string | null;
  latencyMs?: number | null;
  /** Arguments or event details. Redacted and size-capped before storage. */
  detail?: unknown;
  confirmsId?: string | null;
  /** Preassigned id (so a caller can reference the row before it commits). */
  id?: string;
}

/**
 * Rows this process just wrote, for after-commit listeners (metrics, the audit stream's wake-up). `commitMs` is
 * the group transaction's duration; null for a row appended inside a caller's transaction, which is reported
 * when appended because its commit belongs to the caller.
 */
export interface AuditCommit {
  rows: readonly ChainedRow[];
  commitMs: number | null;
}

interface Pending {
  row: ChainedRow;
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}

/**
 * The audit log. `record` is durable before it resolves: rows are committed in small groups (every caller
 * waiting on a group is released when that group's transaction commits), because one fsync per call would
 * stall every request on the JavaScript thread. `appendInTransaction` writes inside a caller's transaction,
 * so a destructive tool's business write and its audit row commit together.
 *
 * The chain head is read inside each write transaction, so several appliance processes on one database
 * still produce one unbroken chain (SQLite serializes write transactions).
 */
export class AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly commitListeners: ((commit: AuditCommit) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxBatch = 128,
  ) {}

  toRow(event: AuditEvent): ChainedRow {
    return {
      id: event.id ?? newId("aud"),
      at: this.clock(),
      kind: event.kind,
      action: event.action,
      outcome: event.outcome,
      requestId: event.requestId ?? null,
      surface: event.surface ?? null,
      tool: event.tool ?? null,
      userId: event.userId ?? null,
      tenantId: event.tenantId ?? null,
      clientId: event.clientId ?? null,
      grantId: event.grantId ?? null,
      ip: event.ip ?? null,
      latencyMs: event.latencyMs ?? null,
      detail: redactDetail(event.detail),
      confirmsId: event.confirmsId ?? null,
    };
  }

  /** Appends one row; resolves with its id once the row is committed. */
  record(event: AuditEvent): Promise<string> {
    const row = this.toRow(event);
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  /** Appends inside an open write transaction (drizzle `db.transaction`); the caller's commit makes it durable. */
  async appendInTransaction(tx: DbLike, event: AuditEvent): Promise<string> {
    const row = this.toRow(event);
    await insertChained(tx, [row]);
    this.notifyCommitted({ rows: [row], commitMs: null });
    return row.id;
  }

  /** Registers a listener called after rows are written; it must not throw or block (it runs on the write path). */
  onCommit(listener: (commit: AuditCommit) => void): void {
    this.commitListeners.push(listener);
  }

  private notifyCommitted(commit: AuditCommit): void {
    for (const listener of this.commitListeners) {
      try {
        listener(commit);
      } catch (err) {
        this.log.warn("audit commit listener failed", { error: err });
      }
    }
  }

  /** Waits until every queued row is committed (shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    // Yield once so callers in the same tick join this group.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxBatch);
        try {
          const started = performance.now();
          await this.db.transaction(async (tx) =>
            insertChained(
              tx,
              group.map((p) => p.row),
            ),
          ); // libSQL begins IMMEDIATE (write) by default
          const commitMs = performance.now() - started;
          for (const p of group) p.resolve(p.row.id);
          this.notifyCommitted({ rows: group.map((p) => p.row), commitMs });
        } catch (err) {
          this.log.error("audit write failed", {
            error: err,
            rows: group.length,
            request_ids: group
              .map((p) => p.row.requestId)
              .filter((id) => id !== null)
              .slice(0, 20),
          });
          for (const p of group) p.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}

async function insertChained(tx: DbLike, rows: ChainedRow[]): Promise<void> {
  const head = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  let prev = head[0]?.hash ?? GENESIS_HASH;
  const values = rows.map((row) => {
    const hash = chainHash(prev, row);
    const value = { ...row, prevHash: prev, hash };
    prev = hash;
    return value;
  });
  await tx.insert(auditLog).values(values);
}

export interface VerifyResult {
  ok: boolean;
  rows: number;
  /** The first row where the chain breaks: its stored content or link no longer matches. */
  brokenAt?: { seq: number; id: string; reason: "hash_mismatch" | "link_mismatch" };
}

/** Walks the chain in order and reports the first broken row. */
export async function verifyAuditChain(client: Client): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let count = 0;
  let lastSeq = 0;
  const page = 1000;
  for (;;) {
    const res = await client.execute({
      sql: "SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
      args: [lastSeq, page],
    });
    if (res.rows.length === 0) break;
    for (const r of res.rows) {
      const seq = Number(r.seq);
      const row: ChainedRow = {
        id: String(r.id),
        at: Number(r.at),
        kind: String(r.kind),
        action: String(r.action),
        outcome: String(r.outcome),
        requestId: nullableString(r.request_id),
        surface: nullableString(r.surface),
        tool: nullableString(r.tool),
        userId: nullableString(r.user_id),
        tenantId: nullableString(r.tenant_id),
        clientId: nullableString(r.client_id),
        grantId: nullableString(r.grant_id),
        ip: nullableString(r.ip),
        latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
        detail: nullableString(r.detail),
        confirmsId: nullableString(r.confirms_id),
      };
      if (String(r.prev_hash) !== prev)
        return { ok: false, rows: count, brokenAt: { seq, id: row.id, reason: "link_mismatch" } };
      const expected = chainHash(prev, row);
      if (String(r.hash) !== expected)
        return { ok: false, rows: count, brokenAt: { seq, id: row.id, reason: "hash_mismatch" } };
      prev = expected;
      count++;
      lastSeq = seq;
    }
  }
  return { ok: true, rows: count };
}

function nullableString(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
