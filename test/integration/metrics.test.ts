import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';

const DB = 'pgcdc_it_metrics';
const NAME = 'pgcdc_it_metrics';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
let hook: Server;
/** webhook POSTs received; the first one is answered 500 so the retry path is exercised */
const received: any[] = [];
let hookCalls = 0;

/** value of one sample line of the exposition, e.g. metric('pgcdc_lag_ms', {connector: NAME}) */
function metric(text: string, name: string, labels: Record<string, string>): number | undefined {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && l.every((x) => m[2].split(',').includes(x))) return Number(m[3]);
  }
  return undefined;
}

const scrape = async () => (await worker.request('GET', '/metrics')).text;
const status = async () => (await worker.request('GET', `/connectors/${NAME}/status`)).body;
const insert = (from: number, n: number) =>
  withClient(db, (c) => c.query('INSERT INTO items SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g', [from, from + n - 1]));

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, v text)'));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hookCalls++;
      if (hookCalls === 1) return void res.writeHead(500).end();
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
  worker = new WorkerHttp(services, 'metrics', { env: { PGCDC_METRICS_INTERVAL_MS: '250' } });
  await worker.start();
});

after(async () => {
  await worker?.stop();
  hook?.close();
  await dropDatabase(services, DB);
});

test('metrics, health, readiness, lag alert firing while paused and resolving after resume', async () => {
  assert.deepEqual((await worker.request('GET', '/health')).body, { status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' });
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, {
    'snapshot.mode': 'no_data',
    'lag.alert.ms': '1000',
    'lag.alert.for.ms': '500',
    'alert.webhook.url': `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
  });
  assert.equal((await worker.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await status())?.connector?.state === 'RUNNING', 'connector RUNNING');
  await eventually(async () => (await worker.request('GET', '/ready')).status === 200, '/ready 200');

  await insert(1, 50);
  let text = '';
  const inserts = { connector: NAME, table: 'public.items', op: 'c' };
  await eventually(async () => metric((text = await scrape()), 'pgcdc_events_total', inserts) === 50, 'pgcdc_events_total 50');
  assert.match(text, /# TYPE pgcdc_events_total counter/);
  assert.equal(metric(text, 'pgcdc_transactions_total', { connector: NAME }), 1);
  assert.equal(metric(text, 'pgcdc_connector_state', { connector: NAME, state: 'RUNNING' }), 1);
  assert.equal(metric(text, 'pgcdc_connector_state', { connector: NAME, state: 'PAUSED' }), 0);
  assert.equal(metric(text, 'pgcdc_slot_active', { connector: NAME }), 1);
  assert.equal(metric(text, 'pgcdc_slot_wal_status', { connector: NAME, wal_status: 'reserved' }), 1);
  assert.equal(metric(text, 'pgcdc_alert_firing', { connector: NAME, alert: 'lag_ms' }), 0);
  assert.ok((metric(text, 'pgcdc_slot_retained_wal_bytes', { connector: NAME }) ?? -1) >= 0);
  assert.equal(metric(text, 'pgcdc_lag_ms', { connector: NAME }), 0, 'caught up and idle: 0 ms behind');

  // Paused while rows keep coming: the lag alert fires after lag.alert.ms + lag.alert.for.ms.
  assert.equal((await worker.request('PUT', `/connectors/${NAME}/pause`)).status, 202);
  assert.equal((await worker.request('GET', '/ready')).status, 200, 'a deliberately paused connector is ready');
  const pausedAt = Date.now();
  for (let i = 0; i < 5; i++) await insert(1000 + i * 10, 10);
  await eventually(() => received.some((r) => r.alert === 'lag_ms' && r.status === 'firing'), 'webhook "firing"', 15_000);
  assert.ok(Date.now() - pausedAt >= 1500 - 250, 'not before lag.alert.ms + lag.alert.for.ms');
  const firing = await status();
  assert.equal(firing.alerts.find((a: any) => a.name === 'lag_ms')?.state, 'firing');
  assert.ok(firing.lag.ms_behind_source > 1000);
  assert.ok(firing.lag.bytes_behind > 0);
  assert.equal(firing.lag.slot_active, false);
  assert.equal(metric(await scrape(), 'pgcdc_alert_firing', { connector: NAME, alert: 'lag_ms' }), 1);
  assert.ok(hookCalls >= 2, 'the 500 answer was retried');

  // Resumed: it catches up and the alert resolves.
  assert.equal((await worker.request('PUT', `/connectors/${NAME}/resume`)).status, 202);
  await eventually(() => received.some((r) => r.alert === 'lag_ms' && r.status === 'resolved'), 'webhook "resolved"', 15_000);
  const resolved = await status();
  assert.equal(resolved.alerts.length, 0);
  assert.equal(resolved.lag.ms_behind_source, 0);
  assert.deepEqual(received.filter((r) => r.alert === 'lag_ms').map((r) => r.status), ['firing', 'resolved']);
  assert.equal(received[0].connector, NAME);
  assert.equal(received[0].threshold, 1000);

  // Quiet point: lag bytes ≈ pg_current_wal_lsn() − confirmed_flush_lsn (the confirm trails delivery a little).
  // counters belong to the connector, not the run: 50 before the pause + 50 delivered after resume
  await eventually(async () => metric(await scrape(), 'pgcdc_events_total', inserts) === 100, 'the resumed run delivered the 50 paused rows');
  await new Promise((r) => setTimeout(r, 1500));
  const bytes = metric(await scrape(), 'pgcdc_lag_bytes', { connector: NAME })!;
  const expected = await withClient(db, async (c) => {
    const r = await c.query(`SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS d FROM pg_replication_slots WHERE slot_name = $1`, [NAME]);
    return Number(r.rows[0].d);
  });
  assert.ok(bytes >= 0 && bytes <= expected + 64 * 1024, `lag bytes ${bytes} not above ${expected} (+64 KiB)`);
  assert.ok(expected - bytes <= 4 * 1024 * 1024, `lag bytes ${bytes} within 4 MiB of ${expected}`);
  assert.match(worker.output, /"alert":"lag_ms".*"state":"firing"/);
});
