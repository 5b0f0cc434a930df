/**
 * Exact counts after a known workload (real worker process, PostgreSQL, Kafka, registry): events by
 * table and op in /metrics and in the status, transactions, the commit-to-ack histogram, errors by
 * kind, queue gauges back at 0 when idle, the summary log line, and which endpoints need credentials.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';

const DB = 'pgcdc_it_metrics_counts';
const NAME = 'pgcdc_it_metrics_counts';
const BROKEN = 'pgcdc_it_metrics_broken';
const TOKEN = 'metrics-test-token';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;

/** Every sample of a family whose labels include `labels`, as `labels → value`. */
function samples(text: string, name: string, labels: Record<string, string> = {}): Map<string, number> {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && want.every((x) => m[2]!.split(',').includes(x))) out.set(m[2]!, Number(m[3]));
  }
  return out;
}
function one(text: string, name: string, labels: Record<string, string>): number | undefined {
  const s = samples(text, name, labels);
  assert.ok(s.size <= 1, `${name} ${JSON.stringify(labels)} matches ${s.size} samples`);
  return [...s.values()][0];
}

const scrape = async () => (await worker.request('GET', '/metrics')).text;
const status = async (name = NAME) => (await worker.request('GET', `/connectors/${name}/status`)).body;
const sql = (text: string) => withClient(db, (c) => c.query(text));

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await sql('CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, v text)');
  // 7 rows for the initial snapshot (op r); the workload below never touches ids above 1000
  await sql(`INSERT INTO a SELECT g, 'snap' FROM generate_series(1001, 1007) g`);
  worker = new WorkerHttp(services, 'metrics-counts', {
    env: { PGCDC_REST_TOKEN: TOKEN, PGCDC_METRICS_INTERVAL_MS: '250', PGCDC_LOG_LEVEL: 'info' },
    authHeader: `Bearer ${TOKEN}`,
  });
  await worker.start();
});

after(async () => {
  for (const n of [NAME, BROKEN]) await worker?.request('DELETE', `/connectors/${n}`).catch(() => {});
  await worker?.stop();
  await dropDatabase(services, DB);
});

test('/health answers without credentials; /metrics and /ready do not', async () => {
  const health = await fetch(`${worker.url}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' });
  assert.equal((await fetch(`${worker.url}/health?probe=1`)).status, 200);
  for (const path of ['/metrics', '/ready', '/connectors']) {
    const res = await fetch(`${worker.url}${path}`);
    assert.equal(res.status, 401, `${path} without credentials`);
    assert.equal((await fetch(`${worker.url}${path}`, { headers: { authorization: 'Bearer wrong' } })).status, 401, `${path} with a wrong token`);
  }
  assert.equal((await worker.request('GET', '/metrics')).status, 200, '/metrics with the token');
});

test('per-table/op counters, transactions and the commit-to-ack histogram equal the workload exactly', async () => {
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, {
    'snapshot.mode': 'initial',
    'skipped.operations': 'none', // truncates become op=t events
    'metrics.log.interval.ms': '400',
  });
  assert.equal((await worker.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await status())?.connector?.state === 'RUNNING', 'connector RUNNING');
  await eventually(async () => (await status())?.metrics?.events?.['public.a']?.r === 7, 'the 7 snapshot rows counted as op r');

  // 17 transactions; the expected counts are written next to each statement
  await sql(`INSERT INTO a SELECT g, 'x' FROM generate_series(1, 30) g`); // a: c 30
  await sql(`INSERT INTO b SELECT g, 'x' FROM generate_series(1, 20) g`); // b: c 20
  await sql(`UPDATE a SET v = 'y' WHERE id <= 10`); // a: u 10
  await sql(`UPDATE b SET v = 'y' WHERE id <= 5`); // b: u 5
  await sql(`DELETE FROM a WHERE id > 25 AND id <= 30`); // a: d 5 + 5 tombstones
  await sql(`DELETE FROM b WHERE id <= 3`); // b: d 3 + 3 tombstones
  for (let i = 0; i < 10; i++) await sql(`INSERT INTO a VALUES (${100 + i}, 'single')`); // a: c 10, in 10 transactions
  await sql('TRUNCATE a, b'); // a: t 1, b: t 1 (one transaction)
  const expected: Record<string, Record<string, number>> = {
    'public.a': { c: 40, u: 10, d: 5, r: 7, t: 1, tombstones: 5 },
    'public.b': { c: 20, u: 5, d: 3, r: 0, t: 1, tombstones: 3 },
  };
  const transactions = 17;

  await eventually(async () => (await status())?.metrics?.transactions === transactions, `${transactions} transactions delivered`, 60_000);
  const s = (await status()).metrics;
  assert.deepEqual(s.events, expected);
  assert.equal(s.events_total, 40 + 10 + 5 + 7 + 1 + 20 + 5 + 3 + 1);
  assert.equal(s.transactions, transactions);
  // one observation per delivered transaction (snapshot rows have no commit and are not observed)
  assert.equal(s.commit_to_ack_ms.count, transactions);
  assert.ok(s.commit_to_ack_ms.p50 > 0 && s.commit_to_ack_ms.p50 <= s.commit_to_ack_ms.p95 && s.commit_to_ack_ms.p95 <= s.commit_to_ack_ms.p99, JSON.stringify(s.commit_to_ack_ms));
  assert.ok(s.commit_to_ack_ms.p99 < 60_000, 'a local commit reaches Kafka within a minute');

  const text = await scrape();
  for (const [table, ops] of Object.entries(expected)) {
    for (const op of ['c', 'u', 'd', 'r', 't']) assert.equal(one(text, 'pgcdc_events_total', { connector: NAME, table, op }), ops[op], `pgcdc_events_total ${table} ${op}`);
    assert.equal(one(text, 'pgcdc_tombstones_total', { connector: NAME, table }), ops.tombstones, `pgcdc_tombstones_total ${table}`);
  }
  assert.match(text, /^# TYPE pgcdc_events_total counter$/m);
  assert.equal(one(text, 'pgcdc_transactions_total', { connector: NAME }), transactions);
  assert.match(text, /^# TYPE pgcdc_commit_to_ack_seconds histogram$/m);
  assert.equal(one(text, 'pgcdc_commit_to_ack_seconds_count', { connector: NAME }), transactions);
  assert.ok(one(text, 'pgcdc_commit_to_ack_seconds_sum', { connector: NAME })! > 0);
  assert.equal(one(text, 'pgcdc_commit_to_ack_seconds_bucket', { connector: NAME, le: '+Inf' }), transactions);
  assert.equal(one(text, 'pgcdc_commit_to_ack_seconds_bucket', { connector: NAME, le: '60' }), transactions);
  const errors = samples(text, 'pgcdc_errors_total', { connector: NAME });
  assert.equal(errors.size, 20, 'every kind at both sites, 0 included');
  assert.deepEqual([...errors.values()].filter((v) => v !== 0), [], 'a clean run counts no error');

  // Idle: nothing queued, batched or in flight.
  await eventually(async () => {
    const t = await scrape();
    return ['pgcdc_queue_messages', 'pgcdc_batch_records', 'pgcdc_inflight_records', 'pgcdc_inflight_bytes'].every((n) => one(t, n, { connector: NAME }) === 0);
  }, 'queue and in-flight gauges at 0 when idle');
  assert.deepEqual((await status()).metrics.queue, { wal_messages: 0, batch_records: 0, inflight_records: 0, inflight_bytes: 0 });

  // The summary line (every 400 ms) shows the connector, its state and the delivered events.
  await eventually(() => summaryLines().some((l) => l.events_total === s.events_total), 'a summary line with all events', 10_000);
  const line = summaryLines().at(-1)!;
  assert.equal(line.state, 'RUNNING');
  for (const field of ['events_per_s', 'lag_ms', 'lag_bytes', 'retained_wal_bytes', 'queue_depth', 'transactions']) assert.ok(field in line, `summary has ${field}: ${JSON.stringify(line)}`);
  assert.equal(line.queue_depth, 0);
  assert.equal(typeof line.retained_wal_bytes, 'number');
});

test('queue and in-flight gauges move under a large transaction and return to 0; counts survive a restart', async () => {
  const big = 60_000;
  const writing = sql(`INSERT INTO b SELECT g, repeat('z', 100) FROM generate_series(1, ${big}) g`);
  let busy = false;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const t = await scrape();
    const c = one(t, 'pgcdc_events_total', { connector: NAME, table: 'public.b', op: 'c' })!;
    if ((one(t, 'pgcdc_queue_messages', { connector: NAME }) ?? 0) + (one(t, 'pgcdc_inflight_records', { connector: NAME }) ?? 0) > 0) busy = true;
    if (c === 20 + big) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await writing;
  assert.ok(busy, 'a WAL queue or in-flight batch was seen while 60k rows streamed');
  await eventually(async () => {
    const t = await scrape();
    return ['pgcdc_queue_messages', 'pgcdc_batch_records', 'pgcdc_inflight_records', 'pgcdc_inflight_bytes'].every((n) => one(t, n, { connector: NAME }) === 0);
  }, 'gauges back at 0');

  // A restart starts a new run; the counters belong to the connector and keep counting.
  assert.equal((await worker.request('POST', `/connectors/${NAME}/restart`)).status, 204);
  await eventually(async () => (await status())?.connector?.state === 'RUNNING', 'RUNNING after restart');
  await sql(`INSERT INTO a VALUES (5000, 'after restart')`);
  await eventually(async () => (await status())?.metrics?.events?.['public.a']?.c === 41, 'a counts 41 inserts across runs');
  assert.equal((await status()).metrics.events['public.b'].c, 20 + big);
  assert.equal((await status()).metrics.transactions, 17 + 1 + 1);
});

test('a failed run is counted by error kind', async () => {
  const { name: _n, ...config } = testConnectorConfig({ ...db, database: 'pgcdc_it_no_such_database' }, services, BROKEN, { 'snapshot.mode': 'no_data' });
  assert.equal((await worker.request('POST', '/connectors', { name: BROKEN, config })).status, 201);
  await eventually(async () => (await status(BROKEN))?.connector?.state === 'FAILED', 'FAILED on a missing database');
  const text = await scrape();
  assert.equal(one(text, 'pgcdc_errors_total', { connector: BROKEN, kind: 'source-state', site: 'connector' }), 1);
  assert.equal([...samples(text, 'pgcdc_errors_total', { connector: BROKEN }).values()].reduce((a, b) => a + b, 0), 1, 'counted once');
  assert.deepEqual((await status(BROKEN)).metrics.errors, { connector: { 'source-state': 1 }, delivery: {} });
});

function summaryLines(): any[] {
  return worker.output
    .split('\n')
    .filter((l) => l.includes('"connector summary"'))
    .map((l) => JSON.parse(l))
    .filter((l) => l.connector === NAME);
}
