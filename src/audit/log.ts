import type { Client } from "@libsql/client";
import { desc, getTableColumns, type Placeholder, sql } from "drizzle-orm";
import type { Db, DbLike } from "../store/index";
import { preparedPerHandle } from "../store/prepared";
import { auditLog } from "../store/schema/audit";
import type { Clock } from "../shared/clock";
import { newOrderedId } from "../shared/crypto";
import type { Logger } from "../shared/log";
import { AUDIT_TEXT_MAX_CODE_POINTS, auditText } from "../shared/text";
import { chainHash, GENESIS_HASH, type ChainedRow } from "./chain";
import { redactDetail } from "./redact";

/** Column caps in code points (every other text column: AUDIT_TEXT_MAX_CODE_POINTS). */
export const AUDIT_ACTION_MAX_CODE_POINTS = 200;
export const AUDIT_TOOL_MAX_CODE_POINTS = 128;

function optionalText(value: string | null | undefined, max = AUDIT_TEXT_MAX_CODE_POINTS): string | null {
  return value === null || value === undefined ? null : auditText(value, max);
}

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

/** A standalone row waiting for the next group. */
interface PendingRow {
  kind: "row";
  row: ChainedRow;
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}

/** A write that commits with the next group, in its own savepoint (`commitWithAudit`). */
interface PendingWrite {
  kind: "write";
  work: (tx: DbLike, audit: GroupAudit) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Pending = PendingRow | PendingWrite;

/** How a write running in a group appends its audit row: chained after every row before it in the group. */
export interface GroupAudit {
  append(event: AuditEvent): Promise<string>;
}

/**
 * The chain head of the open group transaction, kept in memory: the head is read once after `BEGIN IMMEDIATE`
 * (which holds SQLite's write lock, so no other connection or process can append until `COMMIT`), and every row
 * the group inserts links to the one before it. A savepoint that rolls back puts the head back where it was.
 */
class GroupChain {
  private rows: ChainedRow[] = [];
  constructor(private prev: string) {}

  async insert(tx: DbLike, rows: ChainedRow[]): Promise<void> {
    const values = rows.map((row) => {
      const hash = chainHash(this.prev, row);
      const value = { ...row, prevHash: this.prev, hash };
      this.prev = hash;
      return value;
    });
    await insertRows(tx, values);
    this.rows.push(...rows);
  }

  mark(): { prev: string; rows: number } {
    return { prev: this.prev, rows: this.rows.length };
  }

  rollbackTo(mark: { prev: string; rows: number }): void {
    this.prev = mark.prev;
    this.rows.length = mark.rows;
  }

  get inserted(): readonly ChainedRow[] {
    return this.rows;
  }
}

/**
 * The audit log, and the one committer of tool calls. `record` is durable before it resolves, and so is
 * `commitWithAudit`: both queue for the next group transaction (every caller waiting on a group is released when
 * that group's transaction commits), because one fsync per call (synchronous FULL) would stall every request on
 * the JavaScript thread. A write runs inside its own SAVEPOINT of the group, so one write's failure (a tool error,
 * a constraint, a refused audit row) rolls back only that write; it never commits without its audit row, nor the
 * row without it. `appendInTransaction` writes inside a caller's own transaction (imports, restore).
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

  /**
   * The row exactly as it is stored and hashed. Every string goes through `auditText` (src/shared/text.ts):
   * control characters escaped, lone surrogates replaced by U+FFFD, capped by code point. The store would
   * otherwise change such a value on its way in or out, and the row would no longer match its hash.
   */
  toRow(event: AuditEvent): ChainedRow {
    return {
      id: auditText(event.id ?? newOrderedId("aud")),
      at: this.clock(),
      kind: auditText(event.kind),
      action: auditText(event.action, AUDIT_ACTION_MAX_CODE_POINTS),
      outcome: auditText(event.outcome),
      requestId: optionalText(event.requestId),
      surface: optionalText(event.surface),
      tool: optionalText(event.tool, AUDIT_TOOL_MAX_CODE_POINTS),
      userId: optionalText(event.userId),
      tenantId: optionalText(event.tenantId),
      clientId: optionalText(event.clientId),
      grantId: optionalText(event.grantId),
      ip: optionalText(event.ip),
      latencyMs: event.latencyMs ?? null,
      detail: redactDetail(event.detail),
      confirmsId: optionalText(event.confirmsId),
    };
  }

  /** Appends one row; resolves with its id once the row is committed. */
  record(event: AuditEvent): Promise<string> {
    const row = this.toRow(event);
    return new Promise<string>((resolve, reject) => {
      this.enqueue({ kind: "row", row, resolve, reject });
    });
  }

  /**
   * Runs `work` in the next group transaction, inside a savepoint of its own, and resolves with its result once
   * that transaction has committed. `work` writes through the `tx` it is given (never through the store's own
   * client: the group holds this process's write lock) and appends its audit row with `audit.append`.
   *
   * When `work` throws, its savepoint is rolled back (nothing it wrote, its audit row included, remains) and the
   * promise rejects at once, before the group commits: the caller then records the failure row, which joins the
   * same group when it is still open. A group that fails to commit rejects every write in it.
   */
  commitWithAudit<T>(work: (tx: DbLike, audit: GroupAudit) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue({
        kind: "write",
        work,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  /** Rows and writes queued for the next group transaction (the one committing now not counted). */
  get waiting(): number {
    return this.queue.length;
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    if (!this.flushing) this.flushing = this.drain();
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

  /** Waits until every queued row and write is committed (shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    // Yield once so callers in the same tick join this group.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) await this.commitGroup();
    } finally {
      this.flushing = null;
    }
  }

  /**
   * One group transaction: takes queued entries in arrival order (including those queued while it runs, up to
   * `maxBatch`), commits once, then releases every caller whose rows it holds.
   */
  private async commitGroup(): Promise<void> {
    const taken: Pending[] = [];
    const done: { pending: PendingWrite; value: unknown }[] = [];
    /** Writes whose savepoint rolled back: already answered with their own error. */
    const refused = new Set<Pending>();
    let inserted: readonly ChainedRow[] = [];
    const started = performance.now();
    try {
      // libSQL begins IMMEDIATE (write) by default: the write lock is held from the first statement on.
      await this.db.transaction(async (tx) => {
        const head = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
        const group = new GroupChain(head[0]?.hash ?? GENESIS_HASH);
        inserted = group.inserted;
        while (this.queue.length > 0 && taken.length < this.maxBatch) {
          const next = this.queue[0]!;
          if (next.kind === "row") {
            // Consecutive standalone rows go in one INSERT.
            const rows: PendingRow[] = [];
            while (this.queue[0]?.kind === "row" && taken.length < this.maxBatch) {
              const row = this.queue.shift() as PendingRow;
              rows.push(row);
              taken.push(row);
            }
            await group.insert(
              tx,
              rows.map((p) => p.row),
            );
            continue;
          }
          this.queue.shift();
          taken.push(next);
          const mark = group.mark();
          await tx.run(sql`SAVEPOINT audited_write`);
          let value: unknown;
          try {
            value = await next.work(tx, { append: (event) => this.appendInGroup(tx, group, event) });
          } catch (err) {
            // ROLLBACK TO keeps the transaction open; if it fails, SQLite has already ended the transaction
            // (https://www.sqlite.org/lang_savepoint.html) and the whole group fails below.
            await tx.run(sql`ROLLBACK TO audited_write`);
            await tx.run(sql`RELEASE audited_write`);
            group.rollbackTo(mark);
            refused.add(next);
            next.reject(err);
            continue;
          }
          await tx.run(sql`RELEASE audited_write`);
          done.push({ pending: next, value });
        }
      });
    } catch (err) {
      const failed = taken.filter((p) => !refused.has(p));
      this.log.error("audit write failed", {
        error: err,
        rows: failed.length,
        request_ids: taken
          .flatMap((p) => (p.kind === "row" && p.row.requestId !== null ? [p.row.requestId] : []))
          .slice(0, 20),
      });
      for (const p of failed) p.reject(err);
      return;
    }
    const commitMs = performance.now() - started;
    for (const p of taken) if (p.kind === "row") p.resolve(p.row.id);
    for (const d of done) d.pending.resolve(d.value);
    if (inserted.length > 0) this.notifyCommitted({ rows: inserted, commitMs });
  }

  private async appendInGroup(tx: DbLike, chain: GroupChain, event: AuditEvent): Promise<string> {
    const row = this.toRow(event);
    await chain.insert(tx, [row]);
    return row.id;
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
  await insertRows(tx, values);
}

/** A row with its links, as a mapped type (an interface has no index signature, which a bound run needs). */
type ChainedValue = { [K in keyof ChainedRow]: ChainedRow[K] } & { prevHash: string; hash: string };
type AuditColumn = Exclude<keyof typeof auditLog.$inferInsert, "seq">;
/**
 * One chained row as a drizzle prepared query, built once per database handle (a group transaction's handle serves
 * every write of the group): every column but `seq` bound from the row at each run, so a column added later is
 * bound too.
 */
const insertOneRow = preparedPerHandle((db) =>
  db
    .insert(auditLog)
    .values(
      Object.fromEntries(
        Object.keys(getTableColumns(auditLog))
          .filter((c) => c !== "seq")
          .map((c) => [c, sql.placeholder(c)]),
      ) as Record<AuditColumn, Placeholder>,
    )
    .prepare(),
);

/** The bound columns in table order (every one but `seq`), as a run of several rows carries them. */
const CHAINED_COLUMNS = Object.keys(getTableColumns(auditLog)).filter((c): c is AuditColumn => c !== "seq");

/**
 * Several chained rows as one prepared INSERT, built once per database handle: the rows travel as one JSON array
 * of arrays (columns in table order) read by SQLite's `json_each` (https://www.sqlite.org/json1.html#jeach), and
 * `->>` returns each element as the SQL value it would have been bound as (text, integer, real or NULL). Building
 * a statement with a placeholder per value cost drizzle's template about 10 µs a row on every group; this one
 * serves every group size. `ORDER BY key` keeps the array's order, which is the chain's: `seq` (NULL here, so
 * SQLite assigns it) must follow the order the hashes were chained in.
 */
const insertManyRows = preparedPerHandle((db) =>
  db
    .insert(auditLog)
    .select(
      sql`SELECT ${sql.join(
        Object.keys(getTableColumns(auditLog)).map((c) =>
          c === "seq" ? sql`NULL` : sql.raw(`value ->> ${CHAINED_COLUMNS.indexOf(c as AuditColumn)}`),
        ),
        sql`, `,
      )} FROM json_each(${sql.placeholder("rows")}) ORDER BY key`,
    )
    .prepare(),
);

/** Chained rows in one statement: a single row (a write's own, a lone read's) by its own prepared insert. */
async function insertRows(tx: DbLike, values: ChainedValue[]): Promise<void> {
  if (values.length === 1) {
    await insertOneRow(tx).execute(values[0]!);
    return;
  }
  const rows = JSON.stringify(values.map((v) => CHAINED_COLUMNS.map((c) => v[c] ?? null)));
  await insertManyRows(tx).execute({ rows });
}

/** A run of consecutive rows that fail the same check. */
export interface ChainBreak {
  firstSeq: number;
  lastSeq: number;
  /**
   * hash_mismatch: the row's stored content no longer matches its own hash (it was edited).
   * link_mismatch: the row's prev_hash is not the stored hash of the row before it (a row was removed, inserted
   * or re-hashed).
   */
  reason: "hash_mismatch" | "link_mismatch";
}

export interface VerifyResult {
  /** breaks.length === 0 */
  ok: boolean;
  /** Rows walked. */
  rows: number;
  /** Every broken range, in chain order. */
  breaks: ChainBreak[];
  /** The last row walked (null on an empty log). */
  head: { seq: number; hash: string } | null;
}

/**
 * Walks the whole chain in `seq` order. Each row is checked twice: its hash over its own stored prev_hash and
 * content (hash_mismatch when edited), and its prev_hash against the stored hash of the row before it
 * (link_mismatch when a row was removed or re-hashed). After a broken row the walk re-anchors on that row's
 * stored hash and keeps going, so one bad row cannot hide tampering further on; consecutive rows broken for the
 * same reason are reported as one range.
 */
export async function verifyAuditChain(client: Client): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let count = 0;
  let lastSeq = 0;
  let head: VerifyResult["head"] = null;
  const breaks: ChainBreak[] = [];
  const page = 1000;
  const broken = (seq: number, reason: ChainBreak["reason"], previousSeq: number | null) => {
    const last = breaks.at(-1);
    if (last && last.reason === reason && last.lastSeq === previousSeq) last.lastSeq = seq;
    else breaks.push({ firstSeq: seq, lastSeq: seq, reason });
  };
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
      const storedPrev = String(r.prev_hash);
      const storedHash = String(r.hash);
      const previousSeq = head?.seq ?? null;
      if (chainHash(storedPrev, row) !== storedHash) broken(seq, "hash_mismatch", previousSeq);
      else if (storedPrev !== prev) broken(seq, "link_mismatch", previousSeq);
      prev = storedHash;
      head = { seq, hash: storedHash };
      count++;
      lastSeq = seq;
    }
  }
  return { ok: breaks.length === 0, rows: count, breaks, head };
}

function nullableString(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

const BREAK_MEANING: Record<ChainBreak["reason"], string> = {
  hash_mismatch: "the row's content no longer matches its hash: edited",
  link_mismatch: "the row does not link to the row before it: a row was removed, inserted or re-hashed",
};

/** One line per broken range, for every command that reports a verification (audit verify, backup, restore). */
export function describeChainBreaks(breaks: readonly ChainBreak[]): string[] {
  return breaks.map((b) => `seq ${b.firstSeq}..${b.lastSeq}: ${b.reason} (${BREAK_MEANING[b.reason]})`);
}
