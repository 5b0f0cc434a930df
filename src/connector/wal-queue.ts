/**
 * The WAL messages received and not yet converted, with back-pressure: the replication input is
 * paused once `maxQueueSize` messages wait and resumed when fewer than half of that remain, so
 * memory is bounded whatever the transaction size. Read from a head index (compacted now and then)
 * rather than shift(), which would copy the array per message.
 */
import type { PgoutputMessage } from '../decoding/messages.js';
import type { Lsn } from '../postgres/lsn.js';
import type { StreamingInput } from './streaming-ports.js';

export interface Queued {
  lsn: Lsn;
  message: PgoutputMessage;
}

export class WalQueue {
  private items: Queued[] = [];
  private head = 0;
  private paused = false;

  constructor(
    private readonly maxQueueSize: number,
    private readonly input: Pick<StreamingInput, 'pause' | 'resume'>,
  ) {}

  /** messages waiting (gauge) */
  get depth(): number {
    return this.items.length - this.head;
  }

  get empty(): boolean {
    return this.head === this.items.length;
  }

  push(lsn: Lsn, message: PgoutputMessage): void {
    this.items.push({ lsn, message });
    if (!this.paused && this.items.length - this.head >= this.maxQueueSize) {
      this.paused = true;
      this.input.pause();
    }
  }

  /** The next message (call only when not empty); resumes the input once below half, unless the loop is stopping. */
  take(stopping: boolean): Queued {
    const item = this.items[this.head++];
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.paused && !stopping && this.items.length - this.head < this.maxQueueSize / 2) {
      this.paused = false;
      this.input.resume();
    }
    return item;
  }

  /** Drops what was received (the loop halted); the input stays as it is. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
