/**
 * One structured log line per connector every `metrics.log.interval.ms`: what an operator tailing
 * the log needs without a Prometheus (events/s since the previous line, lag, retained WAL, queue
 * depth, state). Runs on the worker's timer, unref'd, reading figures that already exist: it adds
 * nothing to the pipeline.
 */
import type { Logger } from 'pino';
import type { StreamingSource } from '../connector/streaming-source.js';
import type { ConnectorMetrics } from './connector-metrics.js';
import type { LagCollector } from './lag-collector.js';
import { queueFigures } from './metrics-status.js';

export interface SummarySources {
  metrics: ConnectorMetrics;
  lag: LagCollector;
  state(): string;
  streaming(): StreamingSource | null | undefined;
}

export class SummaryLog {
  private timer?: NodeJS.Timeout;
  private intervalMs = 0;
  private lastEvents = 0;
  private lastAt = 0;

  constructor(private readonly sources: SummarySources, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** (Re)starts the timer for this interval; 0 stops it. Idempotent for an unchanged interval. */
  configure(intervalMs: number): void {
    if (intervalMs === this.intervalMs && (this.timer || intervalMs === 0)) return;
    this.stop();
    this.intervalMs = intervalMs;
    if (intervalMs <= 0) return;
    this.lastEvents = this.sources.metrics.events;
    this.lastAt = this.now();
    this.timer = setInterval(() => this.log.info(this.line(), 'connector summary'), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The fields of one line; advances the events/s window. */
  line(): Record<string, unknown> {
    const { metrics, lag } = this.sources;
    const now = this.now();
    const events = metrics.events;
    const seconds = (now - this.lastAt) / 1000;
    const rate = seconds > 0 ? Math.round(((events - this.lastEvents) / seconds) * 10) / 10 : 0;
    this.lastEvents = events;
    this.lastAt = now;
    const s = lag.latest;
    const q = queueFigures(metrics, this.sources.streaming());
    return {
      summary: true,
      state: this.sources.state(),
      events_per_s: rate,
      events_total: events,
      transactions: metrics.transactions,
      lag_ms: s?.lagMs ?? null,
      lag_bytes: s?.lagBytes ?? null,
      retained_wal_bytes: s?.retainedWalBytes ?? null,
      queue_depth: q.wal_messages,
      batch_records: q.batch_records,
      inflight_records: q.inflight_records,
      commit_to_ack_p99_ms: metrics.commitToAck.count ? Math.round((metrics.commitToAck.quantile(0.99) ?? 0) * 1e6) / 1e3 : null,
    };
  }
}
