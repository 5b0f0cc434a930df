/**
 * Feeds a connector's ConnectorHistory every PGCDC_HISTORY_INTERVAL_MS (default 5 s) from figures the
 * worker already has (the metrics counters and the lag collector's latest sample): no query of its
 * own. Runs while the connector is paused too, when lag grows.
 */
import { ConnectorHistory } from './history.js';
import type { ConnectorMetrics } from './connector-metrics.js';
import type { LagCollector } from './lag-collector.js';

const DEFAULT_INTERVAL_MS = 5_000;

/** PGCDC_HISTORY_INTERVAL_MS: a positive integer of ms, else a clear error (no value silently ignored). */
export function historyIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PGCDC_HISTORY_INTERVAL_MS;
  if (raw === undefined || raw === '') return DEFAULT_INTERVAL_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100 || n > 600_000) {
    throw new Error(`PGCDC_HISTORY_INTERVAL_MS must be an integer number of milliseconds between 100 and 600000, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export class HistorySampler {
  readonly history: ConnectorHistory;
  private timer?: NodeJS.Timeout;

  constructor(private readonly metrics: ConnectorMetrics, private readonly lag: LagCollector, intervalMs: number, private readonly now: () => number = Date.now) {
    this.history = new ConnectorHistory(intervalMs);
    lag.onTransition = (t) => this.history.recordAlert(t);
  }

  start(): void {
    if (this.timer) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.history.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): void {
    const s = this.lag.latest;
    this.history.record({ events: this.metrics.events, lagMs: s?.lagMs ?? null, lagBytes: s?.lagBytes ?? null, retainedWalBytes: s?.retainedWalBytes ?? null }, this.now());
  }
}
