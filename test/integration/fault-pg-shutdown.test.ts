import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PrivateStack } from '../harness/private-stack.js';

/**
 * Issue 13.8: with heartbeat.interval.ms=0 (the default) and WAL written only outside the captured
 * tables, a streaming connector must not hold up `pg_ctl stop -m fast` (the walsender waits until
 * its client confirmed everything it sent) nor keep WAL: with nothing pending pgcdc confirms up to
 * the server's keepalive position. Private cluster: the test shuts it down.
 */
const NAME = 'pgcdc_it_pg_shutdown';

let shared: TestServices;
let stack: PrivateStack | undefined;
let worker: WorkerHttp | undefined;
let db: pg.ClientConfig;

before(async () => {
  shared = await testServices();
  stack = await PrivateStack.start(shared, { postgres: true });
  db = await freshDatabase(stack.services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TABLE captured (id int PRIMARY KEY)`);
    await c.query(`CREATE TABLE other (id serial PRIMARY KEY, v text)`);
  });
  worker = new WorkerHttp(stack.services, 'pgshutdown');
  await worker.start();
});

after(async () => {
  await worker?.stop('SIGKILL');
  await stack?.cleanup();
});

test('idle captured tables, WAL written elsewhere, no heartbeat: the slot follows the server and a fast shutdown is not held up', async () => {
  const services = stack!.services;
  const postgres = stack!.postgres!;
  const w = worker!;
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'table.include.list': 'public.captured', 'offset.flush.interval.ms': '200', 'status.update.interval.ms': '500' });
  assert.equal((await w.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await w.request('GET', `/connectors/${NAME}/status`)).body?.connector?.state === 'RUNNING', 'connector RUNNING', 60_000);
  await withClient(db, (c) => c.query(`INSERT INTO captured VALUES (1)`));
  const confirmed = async () => withClient(db, async (c) => (await c.query(`SELECT (confirmed_flush_lsn - '0/0')::text AS p, (pg_current_wal_lsn() - '0/0')::text AS cur FROM pg_replication_slots WHERE slot_name = $1`, [NAME])).rows[0]);
  // WAL only outside the captured tables: 2 MB of it
  await withClient(db, (c) => c.query(`INSERT INTO other (v) SELECT repeat('x', 200) FROM generate_series(1, 10000)`));
  const target = BigInt((await confirmed()).cur);
  await eventually(async () => BigInt((await confirmed()).p) >= target, 'the slot to be confirmed past WAL without captured changes', 30_000);

  await withClient(db, (c) => c.query(`INSERT INTO other (v) SELECT repeat('y', 200) FROM generate_series(1, 1000)`));
  const started = Date.now();
  await postgres.stop('fast');
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 20, `pg_ctl stop -m fast took ${seconds} s`);
  await postgres.start();
});
