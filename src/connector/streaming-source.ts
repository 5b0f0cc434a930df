import type { Logger } from 'pino';
import type { LogicalMessage, PgoutputMessage } from '../decoding/messages.js';
import type { ChangeEventBuilder, TxContext } from '../events/change-events.js';
import type { RecordSink } from '../kafka/ports.js';
import type { SinkRecord } from '../kafka/sink-record.js';
import { alreadyDelivered, type SourceOffset } from '../offsets/source-offset.js';
import { formatLsn, type Lsn } from '../postgres/lsn.js';
import type { PendingSchemaChange } from '../schema-changes/pending.js';
import { withRetry } from '../errors/retry.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { ChangeBatch } from './change-batch.js';
import type { Checkpointer } from './checkpointer.js';
import type { IncrementalSnapshot } from '../snapshot/incremental-snapshot.js';
import type { LogicalMessages } from './logical-messages.js';
import { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { ChangeFanout, type ChangeMessage } from './change-fanout.js';
import { WalQueue, type Queued } from './wal-queue.js';
import type { StreamBarrier, StreamingInput, StreamingOptions, StreamingTables } from './streaming-ports.js';
import { TransactionMetadataStamper } from './transaction-metadata.js';
import { commitOffset, completedBefore, inTransactionOffset, keepaliveOffset, standaloneOffset } from './stream-offsets.js';
import { emitMessage, misplacedMessage, standaloneAt, transactionalAt } from './logical-message-step.js';

export type { StreamBarrier, StreamingInput, StreamingOptions, StreamingTables } from './streaming-ports.js';

/**
 * The streaming phase: WAL messages → change events → Kafka, in WAL order. The replication handler
 * only queues; one loop converts, serializes and batches; one batch at a time is in flight to Kafka.
 * Back-pressure: the replication socket is paused while `maxQueueSize` messages wait, so memory is
 * bounded whatever the transaction size. After each acknowledged batch the checkpointer learns the
 * new delivered offset; it stores and confirms it every `offsetFlushIntervalMs`.
 */
export class StreamingSource {
  /** received WAL messages, with back-pressure on the replication input (wal-queue.ts) */
  private readonly queue: WalQueue;
  private wake?: () => void;
  private stopping = false;
  private batch = new ChangeBatch();
  private inflight: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private tx: TxContext | null = null;
  private txChangeIndex = 0;
  private previousCommitLsn: Lsn | null = null;
  private position: SourceOffset | null;
  /** where streaming started: the flush position until the first transaction completes */
  private startLsn: Lsn = 0n;
  /** converts each change into its events (change-fanout.ts) */
  private readonly fanout: ChangeFanout;
  /** provide.transaction.metadata: the open transaction's counters and BEGIN record (transaction-metadata.ts); null when off */
  private readonly txMeta: TransactionMetadataStamper | null;
  /** set while a resumed snapshot waits for the stream to reach its position */
  barrier: StreamBarrier | null = null;
  /** after a barrier was stopped: nothing more is delivered */
  private halted = false;
  /** ad-hoc snapshots driven by the signal table (signal.data.collection), when configured */
  incremental: IncrementalSnapshot | null = null;
  /** logical decoding messages as op "m" events (absent: counted for offsets, not emitted) */
  messages: LogicalMessages | null = null;
  /** counters read by status and metrics */
  readonly stats = { events: 0, transactions: 0, skippedOnResume: 0, lastCommitTimeUs: 0n };
  /** a heartbeat record waiting for the loop to reach a point between messages (heartbeat.interval.ms) */
  private pendingBeat: (() => SinkRecord) | null = null;
  /** set when the run ended at a breaking schema change waiting for a decision (schema.change.policy=pause) */
  schemaChange: PendingSchemaChange | null = null;
  /** while a delivery is being retried (e.g. Kafka down): why, for the status trace; null when delivering */
  retrying: string | null = null;
  /** exactly-once: a commit is due at the next point with no batch in flight */
  private commitDue = false;

  constructor(
    private readonly stream: StreamingInput,
    private readonly tables: StreamingTables,
    events: ChangeEventBuilder,
    private readonly sink: RecordSink,
    private readonly checkpointer: Checkpointer,
    private readonly resumeOffset: SourceOffset | null,
    private readonly opts: StreamingOptions,
    private readonly log: Logger,
    private readonly metrics: ConnectorMetrics = new ConnectorMetrics(),
  ) {
    this.position = resumeOffset;
    this.fanout = new ChangeFanout(tables, events);
    this.queue = new WalQueue(opts.maxQueueSize, stream);
    this.txMeta = opts.transactionTopic ? new TransactionMetadataStamper(opts.transactionTopic, resumeOffset) : null;
  }

  /** Runs until stop() (resolves after draining) or a failure (rejects). */
  async run(startLsn: Lsn): Promise<void> {
    this.startLsn = startLsn;
    const eos = this.opts.exactlyOnce;
    const flushTimer = eos
      ? setInterval(() => this.commitSoon(), eos.boundary === 'interval' ? eos.intervalMs : this.opts.offsetFlushIntervalMs)
      : setInterval(() => void this.checkpointer.checkpoint().catch((err) => this.fail(err)), this.opts.offsetFlushIntervalMs);
    // While a barrier waits on an idle database, only a keepalive says the stream has reached it.
    // Otherwise, with nothing pending, a keepalive lets the slot advance past WAL without captured
    // changes, so WAL retention and a fast server shutdown (the walsender waits for the client to
    // confirm what it sent) do not depend on heartbeat.interval.ms.
    const onKeepalive = () => {
      if (this.barrier) this.stopWaiting();
      else if (!this.halted) this.advanceToKeepalive();
    };
    this.stream.on('keepalive', onKeepalive);
    const poke = setInterval(() => this.barrier && this.stream.requestKeepalive(), 1000);
    let failure: unknown;
    const streaming = this.stream.run(startLsn, (lsn, message) => this.enqueue(lsn, message)).then(
      () => this.stopWaiting(),
      (err) => {
        failure ??= err;
        this.stopping = true;
        this.stopWaiting();
      },
    );
    try {
      await this.loop();
    } catch (err) {
      failure ??= err;
    } finally {
      clearInterval(flushTimer);
      clearInterval(poke);
      this.stream.off('keepalive', onKeepalive);
    }
    if (!failure) {
      try {
        await this.checkpointer.checkpoint();
      } catch (err) {
        failure = err;
      }
    }
    await this.incremental?.close();
    await this.barrier?.close();
    await this.stream.stop();
    await streaming;
    if (failure) throw failure;
  }

  /** Stops reading, delivers what was already received, stores the offset and confirms it. */
  stop(): void {
    this.stopping = true;
    this.stream.pause();
    this.stopWaiting();
  }

  /** True while nothing is queued, batched or in flight, and no transaction is open. */
  get idle(): boolean {
    return this.queue.empty && this.batch.size === 0 && this.inflight === null && this.tx === null;
  }

  /** WAL messages received and waiting to be converted (gauge). */
  get queueDepth(): number {
    return this.queue.depth;
  }

  /** Records serialized into the batch being assembled, not yet handed to Kafka (gauge). */
  get batchRecords(): number {
    return this.batch.size;
  }

  get delivered(): SourceOffset | null {
    return this.checkpointer.lastDelivered;
  }

  /** Heartbeat support: when idle, everything before the server's keepalive position is delivered. */
  advanceToKeepalive(): boolean {
    if (!this.idle) return false;
    const offset = keepaliveOffset(this.stream.keepalivePosition, this.checkpointer.lastDelivered);
    if (!offset) return false;
    this.position = offset;
    this.checkpointer.delivered_(offset);
    return true;
  }

  /**
   * heartbeat.interval.ms: the record `make` returns joins the next batch once everything received
   * is converted, with the offset it stands for (the server's keepalive position when no transaction
   * is open), so that offset is stored and confirmed only after Kafka acknowledged the heartbeat and
   * every event before it. Like Debezium, no heartbeat is written before there is an offset.
   */
  beat(make: () => SinkRecord): void {
    if (this.halted) return;
    this.pendingBeat = make;
    this.stopWaiting();
  }

  private addHeartbeat(): void {
    const make = this.pendingBeat!;
    this.pendingBeat = null;
    // with no transaction open, the heartbeat stands for the server's keepalive position
    const offset = this.tx === null ? keepaliveOffset(this.stream.keepalivePosition, this.position) : null;
    if (offset) {
      this.position = offset;
      this.batch.offset = this.position;
    }
    if (!this.position) return;
    this.batch.records.push(make());
  }

  /** Exactly-once: asks the loop to commit once nothing is in flight (a commit then covers exactly what was acknowledged). */
  private commitSoon(): void {
    this.commitDue = true;
    this.stopWaiting();
  }

  /** Exactly-once: stores the delivered offset by committing the transaction; called with no batch in flight. */
  private async commitIfDue(): Promise<void> {
    if (!this.commitDue) return;
    this.commitDue = false;
    await this.checkpointer.checkpoint();
  }

  private failure: unknown;

  fail(err: unknown): void {
    this.failure = err;
    this.stopping = true;
    this.stopWaiting();
  }

  private enqueue(lsn: Lsn, message: PgoutputMessage): void {
    if (this.halted) return;
    this.queue.push(lsn, message);
    this.stopWaiting();
  }

  private stopWaiting(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.queue.empty) {
        if (this.pendingBeat && !this.barrier && !this.halted) this.addHeartbeat();
        // an empty batch with an offset still advances it (transactions with no captured change)
        if (this.batch.size > 0 || this.batch.offset) await this.flush();
        if (this.inflight) await this.settleInflight();
        await this.commitIfDue();
        if (this.halted) return;
        if (this.barrier && !this.stopping && this.tx === null && this.stream.keepalivePosition >= this.barrier.lsn) {
          await this.passBarrier();
          continue;
        }
        if (this.stopping && this.queue.empty) return;
        // a heartbeat asked for while a batch was in flight is added on the next turn
        if (this.queue.empty && !(this.pendingBeat && !this.barrier)) await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      await this.process(this.queue.take(this.stopping));
      if (this.halted) return;
      if (this.batch.size >= this.opts.maxBatchSize) await this.flush();
    }
  }

  private async process({ lsn, message: m }: Queued): Promise<void> {
    switch (m.tag) {
      case 'begin':
        if (!(await this.reachBarrier(m.finalLsn))) return;
        this.tx = { xid: m.xid, commitLsn: m.finalLsn, commitTimeUs: m.commitTimeUs, previousCommitLsn: this.previousCommitLsn };
        this.txChangeIndex = 0;
        this.txMeta?.begin(lsn, this.tx);
        return;
      case 'commit': {
        const tx = this.tx;
        this.tx = null;
        // Debezium's lastCommitLsn is where the commit record ends (the Commit message's WAL position)
        this.previousCommitLsn = m.endLsn;
        this.stats.transactions++;
        this.stats.lastCommitTimeUs = m.commitTimeUs;
        if (completedBefore(this.resumeOffset, m.commitLsn)) return; // delivered before
        this.position = commitOffset(m, this.txChangeIndex, tx?.xid ?? null);
        // END in the batch whose offset marks the transaction complete (BEGIN too when it had no change)
        this.txMeta?.commit(this.batch, lsn, m.commitTimeUs);
        this.batch.offset = this.position;
        this.batch.commitsMs.push(Number(m.commitTimeUs / 1000n));
        return;
      }
      case 'relation': {
        // schema.change.policy: a breaking shape pauses here, before the first change that uses it
        // pgoutput sends Relation messages with no WAL position (0/0); the change is then named by its transaction's commit LSN
        const at = { lsn: formatLsn(lsn !== 0n || !this.tx ? lsn : this.tx.commitLsn), position: this.tx ? `transaction committing at ${formatLsn(this.tx.commitLsn)}, after ${this.txChangeIndex} of its changes` : `after ${formatLsn(lsn)}`,
          ...(this.tx ? { commitLsn: formatLsn(this.tx.commitLsn) } : {}) };
        const pending = await this.tables.onRelation(m, at);
        if (pending) await this.pauseForSchemaChange(pending);
        return;
      }
      case 'type':
        this.tables.forgetType(m.typeOid);
        return;
      case 'message':
        return this.logicalMessage(m);
      case 'origin':
        if (this.tx) this.tx = { ...this.tx, origin: { name: m.name, lsn: m.originLsn } };
        return;
      default:
        this.change(lsn, m);
    }
  }

  private change(lsn: Lsn, m: ChangeMessage): void {
    const tx = this.tx;
    if (!tx) throw new Error(`change at LSN ${lsn} outside a transaction`);
    const index = this.txChangeIndex++;
    if (alreadyDelivered(this.resumeOffset, tx.commitLsn, index)) {
      this.stats.skippedOnResume++;
      // resumed inside a transaction: its delivered events are counted again, so the rest continue the orders
      const meta = this.txMeta;
      if (meta?.inProgress) this.fanout.build(lsn, m, tx, null, (t, records) => meta.stamp(t, records, lsn));
      return;
    }
    // BEGIN goes out with the transaction's first change, in a batch whose offset is inside the transaction
    this.txMeta?.takeBegin(this.batch);
    this.incremental?.observe(m, tx, lsn, (table, records) => this.batch.add(table, records, lsn));
    this.fanout.build(lsn, m, tx, this.barrier, (t, records) => {
      if (m.tag !== 'truncate') this.stats.events += records.length;
      this.txMeta?.stamp(t, records, lsn);
      this.batch.add(t, records, lsn);
    });
    this.position = inTransactionOffset(tx, index + 1, lsn, this.position?.flushLsn ?? this.startLsn);
    this.batch.offset = this.position;
  }

  /** A logical decoding message: a position of its transaction, or standing alone at its LSN (logical-message-step.ts). */
  private async logicalMessage(m: LogicalMessage): Promise<void> {
    const tx = this.tx;
    const misplaced = misplacedMessage(m, tx);
    if (misplaced) throw misplaced;
    if (tx) {
      const index = this.txChangeIndex++;
      if (alreadyDelivered(this.resumeOffset, tx.commitLsn, index)) {
        this.stats.skippedOnResume++;
        return;
      }
      await emitMessage(this.messages, this.batch, m, transactionalAt(tx));
      this.position = inTransactionOffset(tx, index + 1, m.lsn, this.position?.flushLsn ?? this.startLsn);
      this.batch.offset = this.position;
      return;
    }
    // like a transaction committing at its LSN: a resumed snapshot's barrier comes first
    if (!(await this.reachBarrier(m.lsn))) return;
    const previous = this.previousCommitLsn;
    this.previousCommitLsn = m.lsn;
    if (completedBefore(this.resumeOffset, m.lsn)) {
      this.stats.skippedOnResume++;
      return;
    }
    await emitMessage(this.messages, this.batch, m, standaloneAt(previous, this.stats.lastCommitTimeUs));
    this.position = standaloneOffset(m.lsn, this.position?.flushLsn ?? this.startLsn);
    this.batch.offset = this.position;
  }

  /** Passes the barrier first when `lsn` is at or after it; false when nothing more may be delivered. */
  private async reachBarrier(lsn: Lsn): Promise<boolean> {
    if (!this.barrier || lsn < this.barrier.lsn) return true;
    // A stop while the barrier waits: nothing at or after it may be delivered before it.
    if (this.stopping) {
      this.halt();
      return false;
    }
    await this.passBarrier();
    return !this.halted;
  }

  /** Delivers everything before the barrier, waits for Kafka, then lets the barrier run. */
  private async passBarrier(): Promise<void> {
    const barrier = this.barrier!;
    if (this.batch.size > 0 || this.batch.offset) await this.flush();
    if (this.inflight) await this.settleInflight();
    const passed = await barrier.pass(this.checkpointer.lastDelivered);
    this.barrier = null;
    if (!passed) this.halt();
  }

  /** Delivers everything before a breaking schema change, then halts: run() stores that offset and ends. */
  private async pauseForSchemaChange(pending: PendingSchemaChange): Promise<void> {
    if (this.batch.size > 0 || this.batch.offset) await this.flush();
    if (this.inflight) await this.settleInflight();
    this.schemaChange = pending;
    this.halt();
  }

  /** Drops what was received and delivers nothing more (the stored offset stays where it is). */
  private halt(): void {
    this.halted = true;
    this.stopping = true;
    this.queue.clear();
    this.tx = null;
    this.txMeta?.halt();
    this.stream.pause();
  }

  /** Hands the current batch to Kafka, waiting first for the previous one (one in flight at a time). */
  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = new ChangeBatch();
    if (this.inflight) await this.settleInflight();
    await this.commitIfDue();
    this.inflight = this.deliver(batch);
    this.inflight.catch(() => {}); // awaited by settleInflight; a failed run may end before it, leaving no rejection unhandled
  }

  private async settleInflight(): Promise<void> {
    const p = this.inflight;
    try {
      await p;
    } finally {
      if (this.inflight === p) this.inflight = null;
    }
  }

  private async deliver(batch: ChangeBatch): Promise<void> {
    await withRetry(() => this.sink.send(batch.records), {
      ...this.opts.retry,
      signal: this.abort.signal,
      onRetry: (err, attempt, delayMs) => {
        this.retrying = `delivery to Kafka failing, retry ${attempt} in ${delayMs} ms: ${describeError(err)}`;
        this.metrics.error('delivery', err);
        this.log.warn({ err: (err as Error).message, attempt, delayMs }, 'delivery to Kafka failed; retrying');
      },
    });
    this.retrying = null;
    if (batch.commitsMs.length > 0) this.metrics.transactionsAcked(batch.commitsMs, Date.now());
    if (batch.offset) this.checkpointer.delivered_(batch.offset);
    if (this.opts.exactlyOnce?.boundary === 'poll') this.commitDue = true;
  }
}

function describeError(err: unknown): string {
  return err instanceof PgcdcError ? err.describe() : ((err as Error)?.message ?? String(err));
}
