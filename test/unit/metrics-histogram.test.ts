import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { validateConnectorConfig } from '../../src/config/index.js';
import type { TableSchema } from '../../src/events/table-schema.js';
import { ConnectorMetrics, TOMBSTONE, opCode } from '../../src/metrics/connector-metrics.js';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import type { LagCollector } from '../../src/metrics/lag-collector.js';
import { Exposition } from '../../src/metrics/prometheus.js';
import { SummaryLog } from '../../src/metrics/summary-log.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';
import { PassThrough } from 'node:stream';

test('histogram: an observation lands in the first bucket whose bound is >= it; cumulative counts, sum and count', () => {
  const h = new LatencyHistogram([0.01, 0.1, 1]);
  for (const v of [0.005, 0.01, 0.05, 0.5, 3, -2]) h.observe(v);
  assert.deepEqual(h.cumulative(), [
    { le: '0.01', count: 3 }, // 0.005, exactly 0.01 (le is inclusive), and -2 clamped to 0
    { le: '0.1', count: 4 },
    { le: '1', count: 5 },
    { le: '+Inf', count: 6 },
  ]);
  assert.equal(h.count, 6);
  assert.ok(Math.abs(h.sum - 3.565) < 1e-9, `sum ${h.sum}`);
  assert.equal(h.max, 3);
});

test('histogram: quantiles interpolate within a bucket, +Inf answers the largest observation, empty is null', () => {
  const h = new LatencyHistogram([0.01, 0.1, 1]);
  assert.equal(h.quantile(0.5), null);
  // 100 observations spread evenly in (0.01, 0.1]: p50 half way through that bucket
  for (let i = 1; i <= 100; i++) h.observe(0.01 + (0.09 * i) / 100);
  assert.ok(Math.abs(h.quantile(0.5)! - 0.055) < 1e-9, `p50 ${h.quantile(0.5)}`);
  assert.ok(Math.abs(h.quantile(1)! - 0.1) < 1e-9);
  // one slow outlier: p99 stays in the bucket, p100 is the outlier itself (not +Inf)
  h.observe(42);
  assert.ok(h.quantile(0.99)! <= 0.1);
  assert.equal(h.quantile(1), 42);
  // the bucket's upper bound is capped by the largest value seen: a lone 0.02 is not reported as 0.1
  const one = new LatencyHistogram([0.01, 0.1, 1]);
  one.observe(0.02);
  assert.ok(Math.abs(one.quantile(0.99)! - 0.02) < 0.001, `p99 ${one.quantile(0.99)}`);
});

test('default buckets run from 1 ms to 60 s and the exposition has _bucket/_sum/_count', () => {
  const h = new LatencyHistogram();
  assert.equal(h.bounds[0], 0.001);
  assert.equal(h.bounds.at(-1), 60);
  h.observe(0.003);
  const x = new Exposition();
  x.histogram('pgcdc_commit_to_ack_seconds', 'help', { connector: 'a' }, h);
  const text = x.toString();
  assert.match(text, /^# TYPE pgcdc_commit_to_ack_seconds histogram$/m);
  assert.match(text, /^pgcdc_commit_to_ack_seconds_bucket\{connector="a",le="0.0025"\} 0$/m);
  assert.match(text, /^pgcdc_commit_to_ack_seconds_bucket\{connector="a",le="0.005"\} 1$/m);
  assert.match(text, /^pgcdc_commit_to_ack_seconds_bucket\{connector="a",le="\+Inf"\} 1$/m);
  assert.match(text, /^pgcdc_commit_to_ack_seconds_count\{connector="a"\} 1$/m);
  assert.match(text, /^pgcdc_commit_to_ack_seconds_sum\{connector="a"\} 0.003$/m);
});

const schema = (table: string) => ({ schema: 'public', table }) as TableSchema;

test('acknowledged records are counted by table and op; a new schema version of a table keeps its counts', () => {
  const m = new ConnectorMetrics();
  const a = schema('a');
  const b = schema('b');
  const a2 = schema('a'); // ALTER TABLE: a new TableSchema object for the same table
  const records = [
    { table: a, op: opCode('c') }, { table: a, op: opCode('c') }, { table: b, op: opCode('u') },
    { table: a, op: opCode('d') }, { table: a, op: opCode(null) }, { table: a2, op: opCode('t') },
    {}, // not a change event (no table): ignored
  ];
  m.countAcked(records, 0, 3);
  m.countAcked(records, 3, records.length);
  const byName = Object.fromEntries(m.tables().map((t) => [t.table, t.counts]));
  assert.deepEqual(byName['public.a'], [2, 0, 1, 0, 1, 1]);
  assert.deepEqual(byName['public.b'], [0, 1, 0, 0, 0, 0]);
  assert.equal(byName['public.a']![TOMBSTONE], 1);
  assert.equal(m.events, 5, 'tombstones are not events');
});

test('transactions and errors by kind', () => {
  const m = new ConnectorMetrics();
  m.transactionsAcked([1_000, 1_500], 2_000);
  assert.equal(m.transactions, 2);
  assert.equal(m.commitToAck.count, 2);
  assert.equal(m.commitToAck.sum, 1.5);
  m.error('delivery', new PgcdcError('sink-transient', 'broker down'));
  m.error('delivery', new PgcdcError('sink-transient', 'broker down'));
  m.error('connector', new Error('plain'));
  assert.equal(m.errors.delivery.get('sink-transient'), 2);
  assert.equal(m.errors.connector.get('internal'), 1);
});

test('summary line: events/s since the previous line, lag, queue and state', () => {
  const m = new ConnectorMetrics();
  let now = 10_000;
  const lag = { latest: { lagMs: 12, lagBytes: 3456, retainedWalBytes: 7890 } } as unknown as LagCollector;
  const stream = new PassThrough();
  const summary = new SummaryLog({ metrics: m, lag, state: () => 'RUNNING', streaming: () => null }, pino(stream), () => now);
  summary.configure(60_000);
  m.countAcked([{ table: schema('a'), op: opCode('c') }, { table: schema('a'), op: opCode('c') }], 0, 2);
  now += 500;
  const line = summary.line();
  summary.stop();
  assert.deepEqual(
    { ...line, commit_to_ack_p99_ms: undefined },
    { summary: true, state: 'RUNNING', events_per_s: 4, events_total: 2, transactions: 0, lag_ms: 12, lag_bytes: 3456, retained_wal_bytes: 7890, queue_depth: 0, batch_records: 0, inflight_records: 0, commit_to_ack_p99_ms: undefined },
  );
  now += 1000;
  assert.equal(summary.line().events_per_s, 0, 'the rate covers only the time since the previous line');
});

test('metrics.log.interval.ms: default 60000, 0 allowed, negative or non-numeric rejected naming the key', () => {
  const base = { name: 'm', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd', 'topic.prefix': 'p' };
  assert.equal(validateConnectorConfig(base).config?.metricsLogIntervalMs, 60_000);
  assert.equal(validateConnectorConfig({ ...base, 'metrics.log.interval.ms': '0' }).config?.metricsLogIntervalMs, 0);
  for (const bad of ['-1', 'soon']) {
    const r = validateConnectorConfig({ ...base, 'metrics.log.interval.ms': bad });
    assert.equal(r.config, undefined);
    assert.deepEqual(r.errors.map((e) => e.key), ['metrics.log.interval.ms'], JSON.stringify(r.errors));
  }
});
