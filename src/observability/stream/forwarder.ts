import type { Client } from "@libsql/client";
import type { Clock } from "../../shared/clock";
import { newId } from "../../shared/crypto";
import type { Logger } from "../../shared/log";
import { signCheckpoint, type CheckpointSigner } from "../checkpoint";
import { withEpochs, type CheckpointRecord, type StreamRecord } from "./records";
import type { AuditSink } from "./sinks";
import {
  acquireLease,
  atOf,
  FORWARDER_LEASE,
  hashAt,
  headSeq,
  readPosition,
  readRowsAfter,
  releaseLease,
  restoreRowAtOrBefore,
  START_POSITION,
  writePosition,
  type SinkPosition,
} from "./store";

export interface ForwarderOptions {
  client: Client;
  sinks: AuditSink[];
  clock: Clock;
  log: Logger;
  signer: CheckpointSigner | null;
  issuer: string;
  checkpointEveryRows: number;
  checkpointEveryMs: number;
  /** How often to look for rows written by other processes (rows written here wake the forwarder at once). */
  pollMs?: number;
  leaseTtlMs?: number;
  onSent?: (sink: string, rows: number) => void;
  onError?: (sink: string) => void;
}

interface SinkState {
  sink: AuditSink;
  position: SinkPosition | null;
  failures: number;
  retryAt: number;
  rowsSinceCheckpoint: number;
  lastCheckpointAt: number;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Streams committed audit rows to every sink, in seq order, at least once. Runs beside the request path, never in
 * it: tool calls only commit rows, and the rows wait in the database until a sink acknowledges them. Each sink has
 * its own loop, position and backoff, so one slow or dead collector does not hold the others back.
 *
 * Several processes on one database elect one forwarder through a lease in the store; the holder renews it every
 * poll, and another process takes over when it lapses (crash, SIGKILL) or is released (clean shutdown).
 */
export class AuditForwarder {
  private readonly holder = newId("fwd");
  private readonly states: SinkState[];
  private stopped = false;
  private leader = false;
  private leaseCheckedAt = 0;
  private wakers: (() => void)[] = [];
  private loops: Promise<void>[] = [];
  private readonly pollMs: number;
  private readonly leaseTtlMs: number;

  constructor(private readonly o: ForwarderOptions) {
    this.pollMs = o.pollMs ?? 500;
    this.leaseTtlMs = o.leaseTtlMs ?? 10_000;
    const now = o.clock();
    this.states = o.sinks.map((sink) => ({
      sink,
      position: null,
      failures: 0,
      retryAt: 0,
      rowsSinceCheckpoint: 0,
      lastCheckpointAt: now,
    }));
  }

  start(): void {
    this.loops = this.states.map((s) => this.runSink(s));
  }

  /** New rows committed in this process: forward now rather than at the next poll. */
  wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    for (const s of this.states) s.sink.close();
    await Promise.all(this.loops);
    if (this.leader) await releaseLease(this.o.client, FORWARDER_LEASE, this.holder).catch(() => {});
  }

  /** Per sink: rows committed but not yet acknowledged, and the age of the oldest of them. Reads the store only. */
  async lag(): Promise<{ sink: string; rows: number; seconds: number }[]> {
    const head = await headSeq(this.o.client);
    const now = this.o.clock();
    const out: { sink: string; rows: number; seconds: number }[] = [];
    for (const s of this.states) {
      const pos = (await readPosition(this.o.client, s.sink.id)) ?? START_POSITION;
      const rows = Math.max(0, head - pos.seq);
      const oldest = rows > 0 ? await atOf(this.o.client, pos.seq + 1) : null;
      out.push({ sink: s.sink.id, rows, seconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000) });
    }
    return out;
  }

  private async runSink(state: SinkState): Promise<void> {
    while (!this.stopped) {
      let more = false;
      try {
        if (await this.holdsLease()) {
          if (this.o.clock() >= state.retryAt) more = await this.pump(state);
        } else {
          state.position = null; // re-read when leadership comes back: another process moved it meanwhile
        }
      } catch (err) {
        state.failures++;
        state.position = null;
        // Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
        const ceiling = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(state.failures, 10));
        state.retryAt = this.o.clock() + Math.floor(ceiling / 2 + (Math.random() * ceiling) / 2);
        this.o.onError?.(state.sink.id);
        this.o.log.warn("audit sink unavailable; rows wait in the database", {
          sink: state.sink.id,
          failures: state.failures,
          retry_in_ms: state.retryAt - this.o.clock(),
          error: (err as Error).message,
        });
      }
      if (!more && !this.stopped)
        await this.sleep(state.retryAt > this.o.clock() ? state.retryAt - this.o.clock() : this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(10, Math.min(ms, this.pollMs * 4)));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers.push(done);
    });
  }

  private async holdsLease(): Promise<boolean> {
    const now = this.o.clock();
    // Renew (or try to take) at a third of the TTL: a holder that misses one renewal still keeps it, and an idle
    // appliance writes the lease row every few seconds, not every poll.
    if (now - this.leaseCheckedAt < this.leaseTtlMs / 3) return this.leader;
    this.leaseCheckedAt = now;
    const was = this.leader;
    this.leader = await acquireLease(this.o.client, FORWARDER_LEASE, this.holder, now, this.leaseTtlMs);
    if (this.leader !== was)
      this.o.log.info(this.leader ? "audit forwarder lease taken" : "audit forwarder lease lost", {});
    return this.leader;
  }

  /** Where to continue: the stored position if its row is still the one acknowledged, else the latest restore. */
  private async resume(sinkId: string): Promise<SinkPosition> {
    const stored = await readPosition(this.o.client, sinkId);
    if (!stored || stored.seq === 0) return stored ?? START_POSITION;
    if ((await hashAt(this.o.client, stored.seq)) === stored.hash) return stored;
    // `seq` now names another row (or none): the database was restored from a backup. Resend from the restore
    // row, which opens a new epoch, so the receiver can tell the new rows from the ones it had under those seqs.
    const head = await headSeq(this.o.client);
    const restore = await restoreRowAtOrBefore(this.o.client, head);
    const seq = restore ? restore.seq - 1 : 0;
    const prior = seq > 0 ? await restoreRowAtOrBefore(this.o.client, seq) : null;
    this.o.log.warn("audit stream position no longer matches the log; resending from the last restore", {
      sink: sinkId,
      stored_seq: stored.seq,
      resume_after: seq,
    });
    return {
      seq,
      hash: (seq > 0 ? await hashAt(this.o.client, seq) : null) ?? "",
      epoch: prior?.id ?? START_POSITION.epoch,
    };
  }

  /** Sends one batch if there is one; true when more rows may be waiting. Throws when the sink fails. */
  private async pump(state: SinkState): Promise<boolean> {
    state.position ??= await this.resume(state.sink.id);
    const position = state.position;
    const rows = await readRowsAfter(this.o.client, position.seq, state.sink.batchSize);
    const now = this.o.clock();
    const records: StreamRecord[] = [];
    let next = position;
    if (rows.length > 0) {
      const tagged = withEpochs(rows, position.epoch);
      records.push(...tagged.records);
      const last = rows[rows.length - 1]!;
      next = { seq: last.seq, hash: last.hash, epoch: tagged.epoch };
    }
    const pending = state.rowsSinceCheckpoint + rows.length;
    const due =
      next.seq > 0 &&
      (pending >= this.o.checkpointEveryRows ||
        (pending > 0 && now - state.lastCheckpointAt >= this.o.checkpointEveryMs));
    if (due && this.o.signer) records.push(await this.checkpoint(next, now));
    if (records.length === 0) return false;
    await state.sink.send(records);
    state.failures = 0;
    if (due) {
      state.rowsSinceCheckpoint = 0;
      state.lastCheckpointAt = now;
    } else {
      state.rowsSinceCheckpoint = pending;
    }
    if (rows.length > 0) {
      if (!(await writePosition(this.o.client, state.sink.id, next, this.holder, this.o.clock()))) {
        this.leader = false;
        state.position = null;
        return false;
      }
      state.position = next;
      this.o.onSent?.(state.sink.id, rows.length);
    }
    return rows.length === state.sink.batchSize;
  }

  private async checkpoint(head: SinkPosition, now: number): Promise<CheckpointRecord> {
    const jws = await signCheckpoint(this.o.signer!, head, this.o.issuer, now);
    return {
      type: "checkpoint",
      epoch: head.epoch,
      seq: head.seq,
      hash: head.hash,
      at: new Date(now).toISOString(),
      jws,
    };
  }
}
