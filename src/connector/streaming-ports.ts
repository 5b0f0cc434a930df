/**
 * What the StreamingSource is given: its options, the replication input and table lookups it reads
 * (the real ReplicationStream and TableRegistry, or in-memory fakes in unit tests), and the barrier
 * a resumed snapshot sets. Types only, so fakes and the snapshot code need not load the loop.
 */
import type { UpdateMessage } from '../decoding/messages.js';
import type { RetryOptions } from '../errors/retry.js';
import type { SourceOffset } from '../offsets/source-offset.js';
import type { Lsn } from '../postgres/lsn.js';
import type { ReplicationHandler } from '../postgres/replication-stream.js';
import type { TableRegistry } from './table-registry.js';
import type { TransactionRecordEncoder } from './transaction-topic.js';

export interface StreamingOptions {
  maxBatchSize: number;
  maxQueueSize: number;
  offsetFlushIntervalMs: number;
  retry: Omit<RetryOptions, 'signal' | 'onRetry'>;
  /** provide.transaction.metadata: where BEGIN/END records go (transaction-topic.ts); absent when off */
  transactionTopic?: TransactionRecordEncoder | null;
  /**
   * exactly.once.support=required: the checkpointer's writes commit the sink's Kafka transaction, so
   * they happen only between batches (nothing in flight), after each batch (poll) or every
   * intervalMs (interval); absent: at least once, the offset stored every offsetFlushIntervalMs.
   */
  exactlyOnce?: { boundary: 'poll' | 'interval'; intervalMs: number } | null;
}

/**
 * Work that must happen at an exact position of the stream, with everything before it acknowledged
 * (a resumed snapshot reads its remaining chunks there: src/snapshot/resumed-snapshot.ts).
 */
export interface StreamBarrier {
  /** passed before the first transaction whose commit record is at or after this LSN */
  readonly lsn: Lsn;
  /** sees every update delivered before the barrier */
  observe(m: UpdateMessage): void;
  /** runs once; false when it was stopped, and then nothing after the barrier is delivered */
  pass(delivered: SourceOffset | null): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * What the streaming loop uses of the replication connection and of the table registry: the real
 * ReplicationStream and TableRegistry in production, in-memory fakes in unit tests (test/fakes).
 */
export interface StreamingInput {
  /** the last position the server reported in a keepalive */
  readonly keepalivePosition: Lsn;
  run(startLsn: Lsn, handler: ReplicationHandler): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  requestKeepalive(): void;
  on(event: 'keepalive', listener: () => void): unknown;
  off(event: 'keepalive', listener: () => void): unknown;
}
export type StreamingTables = Pick<TableRegistry, 'get' | 'onRelation' | 'forgetType'>;
