import type { Logger } from 'pino';
import { isRetriable, PgcdcError } from '../errors/pgcdc-error.js';
import type { OffsetWriter } from '../offsets/offset-store.js';
import { describeOffset, toStored, type SourceOffset } from '../offsets/source-offset.js';
import type { Lsn } from '../postgres/lsn.js';

export type { OffsetWriter } from '../offsets/offset-store.js';

export interface CheckpointRetry {
  /** consecutive failed writes tolerated (errors.max.retries); -1: no limit */
  maxRetries: number;
  /** offset.flush.interval.ms: a failed write is retried at the next flush */
  flushIntervalMs: number;
  /** called for every failed write that will be retried (metrics) */
  onRetry?(err: unknown): void;
}

/**
 * The one place where an LSN is confirmed to PostgreSQL, and only in this order: Kafka acknowledged
 * every event up to the offset (the caller passes only delivered offsets) → the offset is written
 * to the offset topic (under exactly-once: committed with those events in one Kafka transaction)
 * → the slot is told the offset's flush LSN. A crash between any two steps
 * leaves the slot behind the stored offset, which resumption handles by skipping.
 *
 * A write that fails retriably (offset topic unreachable) is not a reason to restart the connector:
 * nothing is confirmed, `retrying` says why for the status, and the next flush writes the then
 * latest offset. Only a permanent failure, or more than `maxRetries` in a row, rejects.
 */
export class Checkpointer {
  private delivered: SourceOffset | null = null;
  private stored: SourceOffset | null = null;
  private running: Promise<void> = Promise.resolve();
  /** a checkpoint waiting behind the running one; callers meanwhile share it */
  private queued: Promise<void> | null = null;
  private failures = 0;
  /** while storing the offset fails and is retried: why, for the status trace; null otherwise */
  retrying: string | null = null;
  private held = false;
  /** exactly-once: what a checkpoint writes during a hold (the held snapshot state with its stream position) */
  private heldRecord: ((delivered: SourceOffset) => Record<string, unknown>) | null = null;

  constructor(
    private readonly store: OffsetWriter,
    private readonly offsetKey: string,
    private readonly confirm: (lsn: Lsn) => void,
    private readonly log: Logger,
    private readonly retry: CheckpointRetry = { maxRetries: -1, flushIntervalMs: 1000 },
  ) {}

  /** Starts from an offset that is already stored (the one the connector resumed from). */
  resumeFrom(offset: SourceOffset | null): void {
    this.delivered = offset;
    this.stored = offset;
  }

  /**
   * Stores nothing until `release`: while a resumed snapshot is unfinished, the stored offset must
   * keep naming the snapshot (storing a streaming offset would make a restart skip its remaining chunks).
   */
  hold(heldRecord?: (delivered: SourceOffset) => Record<string, unknown>): void {
    this.held = true;
    this.heldRecord = heldRecord ?? null;
  }

  /** Ends a hold: `record` (naming `offset`, everything delivered so far) is stored, then `offset` confirmed. */
  async release(offset: SourceOffset, record: Record<string, unknown> = toStored(offset) as unknown as Record<string, unknown>): Promise<void> {
    this.held = false;
    this.heldRecord = null;
    await this.running;
    await this.store.write(this.offsetKey, record);
    this.delivered = offset;
    this.stored = offset;
    this.confirm(offset.flushLsn);
  }

  /** Records that Kafka acknowledged everything up to `offset`. Cheap; called per batch. */
  delivered_(offset: SourceOffset): void {
    this.delivered = offset;
  }

  get lastDelivered(): SourceOffset | null {
    return this.delivered;
  }

  get lastStored(): SourceOffset | null {
    return this.stored;
  }

  /**
   * Stores the latest delivered offset and confirms its flush LSN; serialised, never overlapping.
   * Calls while one runs share a single follow-up, so a slow write (the Kafka client retrying against a dead
   * broker) does not pile up one write per flush tick.
   */
  checkpoint(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.running.then(() => {
      this.queued = null;
      return this.checkpointNow();
    });
    this.queued = next;
    this.running = next.catch(() => {});
    return next;
  }

  private async checkpointNow(): Promise<void> {
    const offset = this.delivered;
    // A transactional writer with records sent since its last write commits them even at the same offset.
    if (!offset || (offset === this.stored && !this.store.pending)) return;
    // A hold stores nothing, unless (exactly-once) it says what to store instead: then the record is
    // committed with the events, and nothing is confirmed until the hold ends.
    const held = this.held ? this.heldRecord : null;
    if (this.held && !held) return;
    try {
      await this.store.write(this.offsetKey, held ? held(offset) : (toStored(offset) as unknown as Record<string, unknown>));
    } catch (err) {
      this.failures++;
      const { maxRetries, flushIntervalMs } = this.retry;
      if (!isRetriable(err) || (maxRetries >= 0 && this.failures > maxRetries)) throw err;
      const reason = err instanceof PgcdcError ? err.describe() : ((err as Error)?.message ?? String(err));
      this.retrying = `storing the offset failed, retry ${this.failures} in ${flushIntervalMs} ms (nothing confirmed to PostgreSQL meanwhile): ${reason}`;
      this.log.warn({ err: (err as Error)?.message, attempt: this.failures, offset: describeOffset(offset) }, 'storing the offset failed; retrying at the next offset flush');
      this.retry.onRetry?.(err);
      return;
    }
    if (this.failures > 0) this.log.info({ attempts: this.failures + 1 }, 'offset stored again');
    this.failures = 0;
    this.retrying = null;
    this.stored = offset;
    if (held) return;
    this.confirm(offset.flushLsn);
    this.log.debug({ offset: describeOffset(offset) }, 'offset stored and confirmed');
  }
}
