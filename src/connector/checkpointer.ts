import type { Logger } from 'pino';
import type { KafkaOffsetStore } from '../offsets/offset-store.js';
import { describeOffset, toStored, type SourceOffset } from '../offsets/source-offset.js';
import type { Lsn } from '../postgres/lsn.js';

/**
 * The one place where an LSN is confirmed to PostgreSQL, and only in this order: Kafka acknowledged
 * every event up to the offset (the caller passes only delivered offsets) → the offset is written
 * to the offset topic → the slot is told the offset's flush LSN. A crash between any two steps
 * leaves the slot behind the stored offset, which resumption handles by skipping.
 */
export class Checkpointer {
  private delivered: SourceOffset | null = null;
  private stored: SourceOffset | null = null;
  private running: Promise<void> = Promise.resolve();
  private held = false;

  constructor(
    private readonly store: KafkaOffsetStore,
    private readonly offsetKey: string,
    private readonly confirm: (lsn: Lsn) => void,
    private readonly log: Logger,
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
  hold(): void {
    this.held = true;
  }

  /** Ends a hold: `record` (naming `offset`, everything delivered so far) is stored, then `offset` confirmed. */
  async release(offset: SourceOffset, record: Record<string, unknown> = toStored(offset) as unknown as Record<string, unknown>): Promise<void> {
    this.held = false;
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

  /** Stores the latest delivered offset and confirms its flush LSN; serialised, never overlapping. */
  checkpoint(): Promise<void> {
    this.running = this.running.then(() => this.checkpointNow());
    return this.running;
  }

  private async checkpointNow(): Promise<void> {
    const offset = this.delivered;
    if (this.held || !offset || offset === this.stored) return;
    await this.store.write(this.offsetKey, toStored(offset) as unknown as Record<string, unknown>);
    this.stored = offset;
    this.confirm(offset.flushLsn);
    this.log.debug({ offset: describeOffset(offset) }, 'offset stored and confirmed');
  }
}
