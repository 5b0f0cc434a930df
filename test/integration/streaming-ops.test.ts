import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, type DecodedRecord } from '../harness/topics.js';

const NAME = 'pgcdc_it_ops';
let services: TestServices;
let db: pg.ClientConfig;
let running: RunningConnector;
const topic = `${topicPrefixFor(NAME)}.public.customers`;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, NAME);
  await withClient(db, (c) =>
    c.query(`CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email varchar(100), balance numeric(10,2))`),
  );
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'skipped.operations': 'none', 'schema.change.policy': 'fail' }));
  assert.equal(running.connector.state, 'RUNNING', running.connector.trace ?? '');
});

after(async () => {
  await running?.stop();
  await dropDatabase(services, NAME);
});

test('insert, update, delete, primary-key change and truncate become Debezium events in order', async () => {
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 10.50), (2, 'Grace', NULL, NULL)`);
    await c.query(`UPDATE customers SET email = 'ada@lovelace.org' WHERE id = 1`);
    await c.query(`DELETE FROM customers WHERE id = 2`);
    await c.query(`UPDATE customers SET id = 10 WHERE id = 1`);
    await c.query(`TRUNCATE customers`);
  });
  // c, c, u, d + tombstone, (pk change) d + tombstone + c, t
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.length >= 9);
  const ops = records.map((r) => (r.value ? r.value.op : 'tombstone'));
  assert.deepEqual(ops, ['c', 'c', 'u', 'd', 'tombstone', 'd', 'tombstone', 'c', 't']);

  const [c1, c2, u1, d2, t2, dOld, tOld, cNew, trunc] = records;
  assert.deepEqual(c1.key, { id: 1 });
  assert.equal(c1.value!.before, null);
  assert.equal(c1.value!.after.name, 'Ada');
  assert.equal(c1.value!.after.email, 'ada@example.com');
  assert.equal(Buffer.from(c1.value!.after.balance).readIntBE(0, c1.value!.after.balance.length), 1050, 'numeric(10,2) 10.50 is the unscaled 1050');
  assert.equal(c2.value!.after.email, null, 'NULL stays null');

  const src = c1.value!.source;
  assert.equal(src.connector, 'postgresql');
  assert.equal(src.name, topicPrefixFor(NAME));
  assert.equal(src.db, NAME);
  assert.equal(src.schema, 'public');
  assert.equal(src.table, 'customers');
  assert.equal(src.snapshot, 'false');
  assert.ok(typeof src.txId === 'number' && src.txId > 0);
  assert.ok(Number(src.lsn) > 0);
  assert.ok(Math.abs(src.ts_ms - Date.now()) < 120_000, 'source.ts_ms is the commit time');
  assert.match(src.sequence, /^\[(null|"\d+"),"\d+"\]$/);

  assert.equal(u1.value!.before, null, 'REPLICA IDENTITY DEFAULT sends no before image for a non-key update');
  assert.equal(u1.value!.after.email, 'ada@lovelace.org');

  assert.deepEqual(d2.key, { id: 2 });
  assert.deepEqual(d2.value!.before.id, 2);
  assert.equal(d2.value!.after, null);
  assert.deepEqual(t2.key, { id: 2 }, 'the tombstone carries the deleted key');
  assert.equal(t2.value, null);

  assert.deepEqual(dOld.key, { id: 1 });
  assert.deepEqual(tOld.key, { id: 1 });
  assert.deepEqual(cNew.key, { id: 10 });
  assert.equal(cNew.value!.after.name, 'Ada');
  assert.equal(cNew.headers['__debezium.oldkey'], JSON.stringify({ id: 1 }));
  assert.equal(dOld.headers['__debezium.newkey'], JSON.stringify({ id: 10 }));

  assert.equal(trunc.key, null);
  assert.equal(trunc.value!.op, 't');
  const partitions = new Set(records.filter((r) => r.key && (r.key as { id: number }).id === 1).map((r) => r.partition));
  assert.equal(partitions.size, 1, 'all events of one key land in one partition');
});

test('ALTER TABLE registers a new schema version and later events use it', async () => {
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO customers VALUES (20, 'Before', NULL, NULL)`);
    await c.query(`ALTER TABLE customers ADD COLUMN tier text`);
    await c.query(`INSERT INTO customers VALUES (21, 'After', NULL, NULL, 'gold')`);
  });
  const isId = (r: DecodedRecord, id: number) => r.value?.after?.id === id;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.some((x) => isId(x, 21)));
  const beforeAlter = records.find((r) => isId(r, 20))!;
  const afterAlter = records.find((r) => isId(r, 21))!;
  assert.notEqual(afterAlter.valueSchemaId, beforeAlter.valueSchemaId, 'a new value schema id after ALTER TABLE');
  assert.equal(afterAlter.value!.after.tier, 'gold');
  assert.equal('tier' in beforeAlter.value!.after, false);
  const versions = await fetch(`${services.registryUrl}/subjects/${topic}-value/versions`).then((r) => r.json());
  assert.ok(Array.isArray(versions) && versions.length >= 2, `subject has ${JSON.stringify(versions)} versions`);
});

test('the slot is never confirmed past the stored offset, and a clean restart emits no duplicates', async () => {
  await withClient(db, (c) => c.query(`INSERT INTO customers (id, name) SELECT g, 'bulk ' || g FROM generate_series(100, 599) g`));
  const countFor = (r: DecodedRecord[]) => r.filter((x) => x.value?.op === 'c' && x.value.after.id >= 100 && x.value.after.id < 1000).length;
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => countFor(r) >= 500);
  await eventually(async () => {
    // The slot is read before the offset: both only move forward, so confirmed(t1) <= stored(t1) <= stored(t2).
    const slot = await withClient(db, (c) => c.query(`SELECT confirmed_flush_lsn::text AS lsn, (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [NAME]));
    const stored = running.connector.streaming ? await running.offsetStore.read(running.connector.offsetKey) : undefined;
    if (!stored) return false;
    const confirmed = BigInt(slot.rows[0].pos);
    assert.ok(confirmed <= BigInt(stored.pgcdc_flush_lsn as string), `confirmed_flush_lsn ${slot.rows[0].lsn} must not pass the stored offset`);
    return confirmed === BigInt(stored.pgcdc_flush_lsn as string);
  }, 'the slot to be confirmed at the stored offset');

  await running.stop();
  assert.equal(running.connector.state, 'STOPPED');
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'skipped.operations': 'none', 'schema.change.policy': 'fail' }));
  await withClient(db, (c) => c.query(`INSERT INTO customers (id, name) VALUES (1000, 'after restart')`));
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.some((x) => x.value?.after?.id === 1000));
  assert.equal(countFor(records), 500, 'each bulk row exactly once across the restart');
  assert.equal(records.filter((x) => x.value?.after?.id === 1000).length, 1);
});

test('a schema change the registry rejects stops the connector with the table, column and subject named', async () => {
  await withClient(db, async (c) => {
    // A NOT NULL array column: Debezium's schemas carry no default for arrays, and a new field
    // without a default is what BACKWARD compatibility refuses.
    await c.query(`ALTER TABLE customers ADD COLUMN loyalty_points int[] NOT NULL DEFAULT '{}'`);
    await c.query(`INSERT INTO customers (id, name) VALUES (2000, 'after incompatible change')`);
  });
  await eventually(() => running.connector.state === 'FAILED', 'the connector to fail on the incompatible schema');
  const trace = running.connector.trace ?? '';
  assert.match(trace, /public\.customers/);
  assert.match(trace, /loyalty_points/);
  assert.match(trace, new RegExp(`${topic}-value`));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(running.connector.state, 'FAILED', 'a permanent error is not retried in a loop');
});
