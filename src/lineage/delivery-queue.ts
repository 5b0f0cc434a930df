/**
 * The bounded queue between the connector and a lineage transport. `offer` never blocks and never
 * throws: events go out one at a time in the background (so a receiver sees START before COMPLETE),
 * each failed delivery is retried with jittered exponential backoff, and when the queue is full or
 * the attempts are used up the event is dropped, counted and logged at warn. A receiver that is down
 * or hangs costs timers, never a delay in the pipeline.
 */
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../errors/retry.js';

export interface DeliveryOptions {
  maxQueue: number;
  attempts: number;
  initialDelayMs: number;
}

export const DELIVERY_DEFAULTS: DeliveryOptions = { maxQueue: 1000, attempts: 4, initialDelayMs: 500 };

/** Delivers one serialized event or rejects with a short reason (no URL, no body). */
export type Deliver = (line: string, signal: AbortSignal) => Promise<void>;

export interface DeliveryCounters {
  sent(): void;
  dropped(): void;
}

export class DeliveryQueue {
  private readonly queue: { line: string; eventType: string }[] = [];
  private sending = false;
  private closed = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly deliver: Deliver,
    private readonly where: string,
    private readonly counters: DeliveryCounters,
    private readonly log: Logger,
    private readonly opts: DeliveryOptions = DELIVERY_DEFAULTS,
  ) {}

  offer(event: { eventType?: unknown }): void {
    if (this.closed) return;
    const eventType = String(event.eventType);
    if (this.queue.length >= this.opts.maxQueue) {
      const dropped = this.queue.shift()!;
      this.counters.dropped();
      this.log.warn({ lineage: this.where, eventType: dropped.eventType, queued: this.queue.length }, 'lineage queue full; oldest event dropped');
    }
    this.queue.push({ line: JSON.stringify(event), eventType });
    if (!this.sending) {
      this.sending = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Events still waiting (tests, status). */
  get pending(): number {
    return this.queue.length + (this.sending ? 1 : 0);
  }

  /** Abandons what is queued (worker shutdown, connector deleted). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.abort.abort();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && this.queue.length > 0) await this.send(this.queue.shift()!);
    } finally {
      this.sending = false;
    }
  }

  private async send(item: { line: string; eventType: string }): Promise<void> {
    for (let attempt = 1; attempt <= this.opts.attempts && !this.closed; attempt++) {
      try {
        await this.deliver(item.line, this.abort.signal);
        this.counters.sent();
        return;
      } catch (err) {
        if (this.closed) return;
        const problem = (err as Error).message;
        const last = attempt === this.opts.attempts;
        if (last) this.counters.dropped();
        this.log.warn({ lineage: this.where, eventType: item.eventType, attempt, problem }, last ? 'lineage event could not be delivered; dropped' : 'lineage delivery failed; retrying');
        if (last) return;
        await sleep(backoffMs(attempt - 1, this.opts.initialDelayMs), this.abort.signal, true);
      }
    }
  }
}
