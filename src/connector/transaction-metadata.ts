/**
 * provide.transaction.metadata in the streaming loop: owns the TransactionTracker (Debezium's
 * counters, pure) and the open transaction's BEGIN record until a batch takes it. The loop calls it
 * at Begin, at each change (BEGIN goes out with the first delivered change, events are stamped),
 * at Commit (END) and when it halts; the records go into the loop's batches, so the offset after
 * them is stored only once Kafka acknowledged them too.
 */
import type { ChangeRecord, TxContext } from '../events/change-events.js';
import { TransactionTracker } from '../events/transaction-tracker.js';
import type { SinkRecord } from '../kafka/sink-record.js';
import type { SourceOffset } from '../offsets/source-offset.js';
import type { Lsn } from '../postgres/lsn.js';
import type { ChangeBatch } from './change-batch.js';
import { completedBefore } from './stream-offsets.js';
import type { RegisteredTable } from './table-registry.js';
import type { TransactionRecordEncoder } from './transaction-topic.js';

export class TransactionMetadataStamper {
  private readonly tracker = new TransactionTracker();
  private pendingBegin: SinkRecord | null = null;

  constructor(
    private readonly topic: TransactionRecordEncoder,
    private readonly resumeOffset: SourceOffset | null,
  ) {}

  /** A transaction is open (also one resumed inside, whose delivered events are replayed through stamp()). */
  get inProgress(): boolean {
    return this.tracker.inProgress;
  }

  /**
   * At pgoutput's Begin: a BEGIN record, except for a transaction delivered before the resume
   * offset (none) or one the offset is inside (its BEGIN went out with its first change: the
   * counters continue instead).
   */
  begin(lsn: Lsn, tx: TxContext): void {
    const r = this.resumeOffset;
    this.pendingBegin = null;
    if (completedBefore(r, tx.commitLsn)) return this.tracker.reset();
    if (r && tx.commitLsn === r.commitLsn && r.txChanges > 0) return this.tracker.resume(tx.xid);
    this.pendingBegin = this.topic.encode(this.tracker.begin(tx.xid, lsn, tx.commitTimeUs));
  }

  /** BEGIN goes out with the transaction's first change, in a batch whose offset is inside the transaction. */
  takeBegin(batch: ChangeBatch): void {
    if (!this.pendingBegin) return;
    batch.addRecord(this.pendingBegin);
    this.pendingBegin = null;
  }

  /** Sets each captured event's transaction block (Debezium counts events with a value: not tombstones). */
  stamp(t: RegisteredTable, records: ChangeRecord[], lsn: Lsn): void {
    const collection = `${t.schema.schema}.${t.schema.table}`;
    for (const c of records) if (c.value && !c.deadLetter) c.value.transaction = this.tracker.event(collection, lsn);
  }

  /** At Commit: END in the batch whose offset marks the transaction complete (BEGIN too when it had no change). */
  commit(batch: ChangeBatch, lsn: Lsn, commitTimeUs: bigint): void {
    this.takeBegin(batch);
    const end = this.tracker.end(lsn, commitTimeUs);
    if (end) batch.addRecord(this.topic.encode(end));
  }

  /** The stream halted: forgets the open transaction and its BEGIN. */
  halt(): void {
    this.tracker.reset();
    this.pendingBegin = null;
  }
}
