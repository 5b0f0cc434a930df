import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { openKafka } from '../../src/kafka/client.js';
import pino from 'pino';
import { validateConnectorConfig } from '../../src/config/index.js';
import { Connector } from '../../src/connector/connector.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { ManagedConnector } from '../../src/worker/managed-connector.js';
import { removeDemoObjects } from '../../scripts/demo/cleanup.js';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { untilSafeToStop } from '../../src/worker/stop-guard.js';

/** Issue 13 items 3 and 10, issue 12 item 7: bad signals, slot.drop.on.stop, FAILED connectors, the demo's cleanup. */
const BASE = 'pgcdc_it_cleanup';
const databases: string[] = [];
const closers: (() => Promise<unknown>)[] = [];

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  const services = await testServices();
  for (const d of databases) await dropDatabase(services, d);
});

async function database(services: TestServices, name: string, sql: string) {
  const db = await freshDatabase(services, name);
  databases.push(name);
  await withClient(db, (c) => c.query(sql));
  return db;
}

function worker(services: TestServices, name: string, lines: string[] = []) {
  const kafka = openKafka({ clientId: `pgcdc-test-${name}`, brokers: services.kafkaBrokers });
  const offsetStore = new KafkaOffsetStore(kafka, 'pgcdc-test-offsets');
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
  const log = pino({ level: 'info' }, sink);
  closers.push(() => offsetStore.stop());
  return { kafka, offsetStore, log };
}

const slotExists = (db: { database?: string }, slot: string) =>
  withClient(db as never, async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount === 1);

test('signals pgcdc cannot act on are logged with their id and skipped; the connector keeps streaming', async () => {
  const services = await testServices();
  const name = `${BASE}_signal`;
  const db = await database(services, name, `CREATE TABLE dbz_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
    CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY)`);
  const lines: string[] = [];
  const services2 = worker(services, name, lines);
  await services2.offsetStore.start();
  const { config } = validateConnectorConfig(testConnectorConfig(db, services, name, {
    'snapshot.mode': 'no_data', 'table.include.list': 'public.t', 'signal.data.collection': 'public.dbz_signal',
  }));
  const connector = new Connector(config!, services2);
  closers.push(async () => (await untilSafeToStop(connector), await connector.stop()));
  await connector.start();
  assert.equal(connector.state, 'RUNNING', connector.trace ?? '');
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO dbz_signal VALUES ('sig-missing', 'execute-snapshot', '{"data-collections": ["public.nope"], "type": "incremental"}')`);
    await c.query(`INSERT INTO dbz_signal VALUES ('sig-json', 'execute-snapshot', '{not json')`);
    await c.query(`INSERT INTO dbz_signal VALUES ('sig-type', 'frobnicate', '{}')`);
    await c.query(`INSERT INTO dbz_signal VALUES ('sig-uncaptured', 'execute-snapshot', '{"data-collections": ["public.other"]}')`);
    await c.query('INSERT INTO t VALUES (1)');
  });
  const topic = `${topicPrefixFor(name)}.public.t`;
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (all) => all.some((r) => r.value?.after?.id === 1));
  await eventually(() => (connector.streaming?.incremental?.signalsSkipped ?? 0) === 4, 'four signals skipped', 15_000);
  assert.equal(connector.state, 'RUNNING');
  for (const [id, why] of [['sig-missing', /public\.nope does not exist/], ['sig-json', /not JSON/], ['sig-type', /unknown signal type "frobnicate"/], ['sig-uncaptured', /public\.other is not captured/]] as const) {
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.signal === id && l.level === 40);
    assert.ok(line, `warning for ${id}`);
    assert.match(line.msg, why);
  }
  // Later changes still arrive, and a valid signal still works after the bad ones.
  await withClient(db, (c) => c.query(`INSERT INTO t VALUES (2); INSERT INTO dbz_signal VALUES ('sig-ok', 'execute-snapshot', '{"data-collections": ["public.t"]}')`));
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (all) => all.filter((r) => r.value?.op === 'r').length >= 2);
  assert.ok(records.some((r) => r.value?.op === 'c' && r.value.after.id === 2));
  assert.equal(connector.state, 'RUNNING');
});

test('slot.drop.on.stop=true: the slot survives a pause and is dropped on stop and on delete', async () => {
  const services = await testServices();
  const name = `${BASE}_drop`;
  const db = await database(services, name, 'CREATE TABLE t (id int PRIMARY KEY)');
  const raw = testConnectorConfig(db, services, name, { 'snapshot.mode': 'no_data', 'slot.drop.on.stop': 'true' });
  const r = await startConnector(services, raw);
  closers.push(() => r.stop());
  assert.equal(r.connector.state, 'RUNNING', r.connector.trace ?? '');
  assert.ok(await slotExists(db, name), 'slot created');
  await untilSafeToStop(r.connector);
  await r.connector.pause();
  assert.ok(await slotExists(db, name), 'kept on pause');
  await r.connector.resume();
  await eventually(() => r.connector.state === 'RUNNING' && r.connector.streaming !== null, 'resumed');
  await untilSafeToStop(r.connector);
  await r.stop();
  assert.equal(await slotExists(db, name), false, 'dropped on stop');

  // Through the worker: a paused connector that is deleted drops its slot too.
  const name2 = `${BASE}_drop2`;
  const db2 = await database(services, name2, 'CREATE TABLE t (id int PRIMARY KEY)');
  const svc = worker(services, name2);
  await svc.offsetStore.start();
  const managed = new ManagedConnector(name2, { config: testConnectorConfig(db2, services, name2, { 'snapshot.mode': 'no_data', 'slot.drop.on.stop': 'true' }), target_state: 'RUNNING' }, svc);
  closers.push(() => managed.close());
  await managed.apply();
  await eventually(() => managed.status('w').connector.state === 'RUNNING' && managed.run?.streaming != null, 'managed running');
  await managed.replaceTarget('PAUSED');
  assert.ok(await slotExists(db2, name2), 'kept while paused');
  await managed.close({ deleted: true });
  assert.equal(await slotExists(db2, name2), false, 'dropped on delete');
});

test('a FAILED connector keeps no PostgreSQL connection, fires no alert, and names the slot it leaves', async () => {
  process.env.PGCDC_METRICS_INTERVAL_MS = '200';
  const services = await testServices();
  const name = `${BASE}_failed`;
  const db = await database(services, name, 'CREATE TABLE t (id int PRIMARY KEY)');
  // A first run creates the slot and publication; the second cannot run (no table matches).
  const first = await startConnector(services, testConnectorConfig(db, services, name, { 'snapshot.mode': 'no_data' }));
  await untilSafeToStop(first.connector);
  await first.stop();
  const svc = worker(services, name);
  await svc.offsetStore.start();
  const managed = new ManagedConnector(name, { config: testConnectorConfig(db, services, name, { 'table.include.list': 'public.gone', 'lag.alert.bytes': '1', 'lag.alert.ms': '1' }), target_state: 'RUNNING' }, svc);
  closers.push(() => managed.close());
  await managed.apply();
  await eventually(() => managed.status('w').connector.state === 'FAILED', 'FAILED');
  await withClient(db, (c) => c.query('INSERT INTO t SELECT generate_series(1, 1000)')); // WAL moves on
  const metricsConnections = () => withClient(db, async (c) => Number((await c.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pgcdc-metrics'`, [name])).rows[0].n));
  await eventually(async () => (await metricsConnections()) === 0, 'the lag collector to close its connection', 10_000);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await metricsConnections(), 0, 'still closed after more samples');
  const status = managed.status('w');
  assert.deepEqual(status.alerts, []);
  assert.match(status.connector.trace ?? '', /table\.include\.list entry "public\.gone"/);
  assert.match(status.connector.trace ?? '', new RegExp(`replication slot "${name}" \\(inactive, retains WAL\\)`));
  assert.match(status.connector.trace ?? '', new RegExp(`SELECT pg_drop_replication_slot\\('${name}'\\); DROP PUBLICATION "${name}_pub";`));
});

test('the demo cleanup removes its slot, publication and database (--keep keeps the database only)', async () => {
  const services = await testServices();
  for (const keep of [false, true]) {
    const name = `${BASE}_demo${keep ? '_keep' : ''}`;
    const db = await database(services, name, `CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION ${name} FOR TABLE t`);
    await withClient(db, (c) => c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [name]));
    const removed = await removeDemoObjects(services.pg, { database: name, slot: name, publication: name }, keep);
    assert.equal(await slotExists(services.pg, name), false, 'slot removed');
    const dbLeft = await withClient(services.pg, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount);
    assert.equal(dbLeft, keep ? 1 : 0);
    if (keep) {
      const pubs = await withClient(db, async (c) => (await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount);
      assert.equal(pubs, 0, 'publication removed');
      assert.ok(await withClient(db, async (c) => (await c.query('SELECT 1 FROM t')).rowCount === 0), 'data kept');
    }
    assert.ok(removed.length >= 2, removed.join(', '));
  }
});
