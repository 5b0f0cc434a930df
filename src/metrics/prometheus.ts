/**
 * Prometheus text exposition (format 0.0.4) of every connector's figures. Everything here is read
 * from what pgcdc tracks anyway (ConnectorMetrics, the lag sample, the streaming queue); a scrape
 * computes nothing on the pipeline's path.
 */
import type { ConnectorState } from '../connector/connector.js';
import type { ManagedConnector } from '../worker/managed-connector.js';
import { ALERT_NAMES } from './alerts.js';
import { ERROR_KINDS, OPS, TOMBSTONE, type ErrorSite } from './connector-metrics.js';
import type { LatencyHistogram } from './histogram.js';
import { queueFigures } from './metrics-status.js';
import { schemaChangeCounters } from '../schema-changes/counters.js';

const STATES: ConnectorState[] = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING'];
const WAL_STATUSES = ['reserved', 'extended', 'unreserved', 'lost'];

interface Family {
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  samples: string[];
}

export class Exposition {
  private readonly families = new Map<string, Family>();

  add(name: string, type: Family['type'], help: string, labels: Record<string, string>, value: number | bigint | null | undefined, sampleName = name): void {
    if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { help, type, samples: [] }));
    const l = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
    f.samples.push(`${sampleName}${l ? `{${l}}` : ''} ${value.toString()}`);
  }

  /** A histogram family: cumulative `_bucket{le}` samples, `_sum` and `_count`. */
  histogram(name: string, help: string, labels: Record<string, string>, h: LatencyHistogram): void {
    for (const b of h.cumulative()) this.add(name, 'histogram', help, { ...labels, le: b.le }, b.count, `${name}_bucket`);
    this.add(name, 'histogram', help, labels, h.sum, `${name}_sum`);
    this.add(name, 'histogram', help, labels, h.count, `${name}_count`);
  }

  toString(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    return out.join('\n') + '\n';
  }
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Adds one connector's metrics; `state` as status shows it. */
export function exposeConnector(x: Exposition, managed: ManagedConnector, state: ConnectorState): void {
  const c = { connector: managed.name };
  for (const s of STATES) x.add('pgcdc_connector_state', 'gauge', 'Connector state (1 for the current one)', { ...c, state: s }, s === state ? 1 : 0);

  const m = managed.metrics;
  for (const t of m.tables()) {
    OPS.forEach((op, i) => x.add('pgcdc_events_total', 'counter', 'Change events acknowledged by Kafka, by table and operation (c, u, d, r, t)', { ...c, table: t.table, op }, t.counts[i]));
    x.add('pgcdc_tombstones_total', 'counter', 'Tombstones (after deletes) acknowledged by Kafka, by table', { ...c, table: t.table }, t.counts[TOMBSTONE]);
  }
  x.add('pgcdc_transactions_total', 'counter', 'Transactions whose commit Kafka acknowledged (with all their events)', c, m.transactions);
  x.histogram('pgcdc_commit_to_ack_seconds', 'Commit time in PostgreSQL to Kafka acknowledgement of the batch holding the commit, one observation per transaction', c, m.commitToAck);
  for (const site of ['connector', 'delivery'] as ErrorSite[]) {
    for (const kind of ERROR_KINDS) x.add('pgcdc_errors_total', 'counter', 'Failures by kind: a run of the connector failed (site=connector) or a delivery to Kafka was retried (site=delivery)', { ...c, kind, site }, m.errors[site].get(kind) ?? 0);
  }
  x.add('pgcdc_dead_letters_total', 'counter', 'Changes sent to the dead-letter topic instead of their table topic (errors.tolerance=all)', c, m.deadLetters);
  x.add('pgcdc_lineage_events_total', 'counter', 'OpenLineage run events delivered to the lineage transport', c, m.lineageSent);
  x.add('pgcdc_lineage_events_dropped_total', 'counter', 'OpenLineage run events dropped: the lineage queue was full or every delivery attempt failed', c, m.lineageDropped);
  const streaming = managed.run?.streaming;
  const q = queueFigures(m, streaming);
  x.add('pgcdc_queue_messages', 'gauge', 'WAL messages received and waiting to be converted', c, q.wal_messages);
  x.add('pgcdc_batch_records', 'gauge', 'Records in the batch being assembled, not yet sent to Kafka', c, q.batch_records);
  x.add('pgcdc_inflight_records', 'gauge', 'Records sent to Kafka and not yet acknowledged', c, q.inflight_records);
  x.add('pgcdc_inflight_bytes', 'gauge', 'Key, value and header bytes sent to Kafka and not yet acknowledged', c, q.inflight_bytes);
  x.add('pgcdc_skipped_on_resume_total', 'counter', 'Changes skipped on resume as already delivered (current run)', c, streaming?.stats.skippedOnResume ?? 0);

  x.add('pgcdc_schema_changes_pending', 'gauge', '1 while the connector is PAUSED at a breaking schema change waiting for a decision', c, managed.run?.schemaChangePending ? 1 : 0);
  for (const e of schemaChangeCounters(m).entries()) x.add('pgcdc_schema_changes_total', 'counter', 'Table shape changes seen while streaming, by classification and outcome (registered, paused, failed)', { ...c, classification: e.classification, outcome: e.outcome }, e.count);

  const lag = managed.lag.latest;
  if (lag) {
    x.add('pgcdc_lag_ms', 'gauge', 'Milliseconds behind source (0 when caught up and idle)', c, lag.lagMs);
    x.add('pgcdc_lag_bytes', 'gauge', 'Bytes of WAL between pg_current_wal_lsn() and the last delivered LSN', c, lag.lagBytes);
    x.add('pgcdc_slot_retained_wal_bytes', 'gauge', 'Bytes of WAL the slot retains (current - restart_lsn)', c, lag.retainedWalBytes);
    x.add('pgcdc_slot_active', 'gauge', '1 when the replication slot has an active consumer', c, lag.slot.active ? 1 : 0);
    x.add('pgcdc_slot_exists', 'gauge', '1 when the replication slot exists', c, lag.slot.exists ? 1 : 0);
    for (const w of WAL_STATUSES) x.add('pgcdc_slot_wal_status', 'gauge', 'Replication slot wal_status (1 for the current one)', { ...c, wal_status: w }, lag.slot.walStatus === w ? 1 : 0);
    x.add('pgcdc_lag_sample_timestamp_seconds', 'gauge', 'When the lag figures were sampled', c, Math.floor(lag.at / 1000));
  }
  x.add('pgcdc_lag_sample_up', 'gauge', '1 when the last lag sample succeeded', c, managed.lag.lastError ? 0 : 1);
  for (const a of ALERT_NAMES) x.add('pgcdc_alert_firing', 'gauge', 'pgcdc alert firing (1) or not (0)', { ...c, alert: a }, managed.lag.isFiring(a) ? 1 : 0);

  const snap = managed.run?.snapshotProgress;
  if (snap) {
    x.add('pgcdc_snapshot_rows_done', 'gauge', 'Rows read by the current or last snapshot', c, snap.rowsDone);
    x.add('pgcdc_snapshot_rows_total_estimate', 'gauge', 'Estimated rows of the snapshot', c, snap.rowsTotalEstimate);
    x.add('pgcdc_snapshot_rows_per_second', 'gauge', 'Snapshot rate', c, snap.rowsPerSecond);
    x.add('pgcdc_snapshot_tables_done', 'gauge', 'Tables done by the snapshot', c, snap.tablesDone);
    x.add('pgcdc_snapshot_tables_total', 'gauge', 'Tables in the snapshot', c, snap.tablesTotal);
    x.add('pgcdc_snapshot_running', 'gauge', '1 while the snapshot runs', c, snap.running ? 1 : 0);
  }
}
