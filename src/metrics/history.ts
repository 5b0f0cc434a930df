/**
 * What the console charts: per connector, a bounded ring of samples (events, lag, retained WAL)
 * covering the last `retentionMs`, and the last alert transitions. In memory only: a worker restart
 * starts a new hour. Pure (no timers, the time is passed in) so it is tested without a clock.
 */
import type { AlertTransition } from './alerts.js';

export interface HistoryPoint {
  /** epoch ms */
  at: number;
  events_total: number;
  /** events acknowledged per second since the previous point; null for the first one */
  events_per_second: number | null;
  lag_ms: number | null;
  lag_bytes: number | null;
  retained_wal_bytes: number | null;
}

export interface HistoryInput {
  events: number;
  lagMs: number | null;
  lagBytes: number | null;
  retainedWalBytes: number | null;
}

/** Alert transitions kept per connector: enough for an hour of flapping, bounded all the same. */
export const ALERT_HISTORY_SIZE = 200;

export class ConnectorHistory {
  private readonly ring: (HistoryPoint | undefined)[];
  private next = 0;
  private size = 0;
  private readonly transitions: AlertTransition[] = [];

  constructor(readonly intervalMs: number, readonly retentionMs = 3_600_000) {
    if (!(intervalMs > 0)) throw new Error(`history interval must be positive, got ${intervalMs}`);
    this.ring = new Array(Math.max(2, Math.ceil(retentionMs / intervalMs) + 1));
  }

  get capacity(): number {
    return this.ring.length;
  }

  record(input: HistoryInput, at: number): HistoryPoint {
    const last = this.size > 0 ? this.ring[(this.next - 1 + this.ring.length) % this.ring.length]! : null;
    const seconds = last ? (at - last.at) / 1000 : 0;
    // A counter that went down (cannot today, but a reset must not chart as a negative rate) restarts the rate.
    const rate = last && seconds > 0 && input.events >= last.events_total ? (input.events - last.events_total) / seconds : null;
    const point: HistoryPoint = {
      at,
      events_total: input.events,
      events_per_second: rate === null ? null : Math.round(rate * 10) / 10,
      lag_ms: input.lagMs,
      lag_bytes: input.lagBytes,
      retained_wal_bytes: input.retainedWalBytes,
    };
    this.ring[this.next] = point;
    this.next = (this.next + 1) % this.ring.length;
    this.size = Math.min(this.size + 1, this.ring.length);
    return point;
  }

  recordAlert(t: AlertTransition): void {
    this.transitions.push(t);
    if (this.transitions.length > ALERT_HISTORY_SIZE) this.transitions.shift();
  }

  /** Oldest first, only those within `retentionMs` of `now`. */
  points(now: number): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    for (let i = 0; i < this.size; i++) {
      const p = this.ring[(this.next - this.size + i + this.ring.length) % this.ring.length]!;
      if (now - p.at <= this.retentionMs) out.push(p);
    }
    return out;
  }

  /** Oldest first. */
  alerts(): AlertTransition[] {
    return [...this.transitions];
  }
}
