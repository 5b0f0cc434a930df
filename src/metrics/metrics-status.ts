/** The `metrics` object of GET /connectors/{name}/status (pgcdc extension): counts, latency, errors, queues. */
import type { StreamingSource } from '../connector/streaming-source.js';
import { OPS, TOMBSTONE, type ConnectorMetrics } from './connector-metrics.js';

/** Milliseconds with µs resolution: status readers want ms, the histogram keeps seconds. */
const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1e6) / 1e3);

/** Queue gauges; all 0 when no run is streaming. */
export function queueFigures(metrics: ConnectorMetrics, streaming: StreamingSource | null | undefined) {
  return {
    wal_messages: streaming?.queueDepth ?? 0,
    batch_records: streaming?.batchRecords ?? 0,
    inflight_records: metrics.inflightRecords,
    inflight_bytes: metrics.inflightBytes,
  };
}

export function metricsStatus(metrics: ConnectorMetrics, streaming: StreamingSource | null | undefined): Record<string, unknown> {
  const events: Record<string, Record<string, number>> = {};
  for (const t of metrics.tables()) {
    const byOp: Record<string, number> = {};
    OPS.forEach((op, i) => (byOp[op] = t.counts[i]!));
    byOp.tombstones = t.counts[TOMBSTONE]!;
    events[t.table] = byOp;
  }
  const h = metrics.commitToAck;
  const errors = (m: Map<string, number>) => Object.fromEntries(m);
  return {
    events,
    events_total: metrics.events,
    transactions: metrics.transactions,
    dead_letters: metrics.deadLetters,
    commit_to_ack_ms: { count: h.count, mean: h.count ? ms(h.sum / h.count) : null, p50: ms(h.quantile(0.5)), p95: ms(h.quantile(0.95)), p99: ms(h.quantile(0.99)), max: h.count ? ms(h.max) : null },
    errors: { connector: errors(metrics.errors.connector), delivery: errors(metrics.errors.delivery) },
    queue: queueFigures(metrics, streaming),
  };
}
