import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, RegistryDecoder } from '../harness/topics.js';

const NAME = 'pgcdc_it_heartbeat_msg';
const NAME2 = 'pgcdc_it_heartbeat_msg_prefix';
const running: RunningConnector[] = [];

after(async () => {
  for (const r of running) await r.stop();
  const services = await testServices();
  await dropDatabase(services, NAME);
  await dropDatabase(services, NAME2);
});

test('with heartbeats, the slot advances while the captured table is idle and another table writes', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE captured (id int PRIMARY KEY); CREATE TABLE busy (id serial PRIMARY KEY, filler text)`));
  const r = await startConnector(services, testConnectorConfig(db, services, NAME, { 'table.include.list': 'public.captured', 'heartbeat.interval.ms': '300' }));
  running.push(r);
  const retained = () =>
    withClient(db, async (c) => {
      const q = await c.query(`SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS behind, (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [NAME]);
      return { behind: Number(q.rows[0].behind), pos: BigInt(q.rows[0].pos) };
    });
  await eventually(async () => (await withClient(db, (c) => c.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [NAME]))).rowCount === 1, 'the slot to exist');
  const start = await retained();
  // ~20 MB of WAL in tables the connector does not capture
  for (let i = 0; i < 10; i++) await withClient(db, (c) => c.query(`INSERT INTO busy (filler) SELECT repeat('x', 1000) FROM generate_series(1, 2000)`));
  await eventually(async () => {
    const now = await retained();
    return now.pos > start.pos && now.behind < 1_000_000;
  }, 'the slot to be confirmed close to the current WAL position', 30_000);
  assert.equal(r.connector.state, 'RUNNING');
  // the default heartbeat topic got Debezium's records
  const prefix = topicPrefixFor(NAME);
  const beats = await readTopics(services.kafkaBrokers, services.registryUrl, [`__debezium-heartbeat.${prefix}`], (rs) => rs.length >= 3, 30_000);
  assert.deepEqual(beats[0]!.key, { serverName: prefix });
});

test('heartbeat records go to <topic.heartbeat.prefix>.<topic.prefix> at about the interval, in Debezium\'s schemas, after the events before them', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME2);
  await withClient(db, (c) => c.query(`CREATE TABLE captured (id int PRIMARY KEY)`));
  const prefix = topicPrefixFor(NAME2);
  const hbPrefix = `hb_${prefix}`;
  const r = await startConnector(services, testConnectorConfig(db, services, NAME2, { 'heartbeat.interval.ms': '400', 'topic.heartbeat.prefix': hbPrefix, 'topic.creation.default.partitions': '3' }));
  running.push(r);
  await eventually(() => r.connector.state === 'RUNNING', 'the connector to stream');
  await withClient(db, (c) => c.query(`INSERT INTO captured VALUES (1), (2)`));
  const startedAt = Date.now();
  // the captured table stays idle from here on: heartbeats keep coming
  const topic = `${hbPrefix}.${prefix}`;
  const beats = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (rs) => rs.filter((b) => Number(b.value!.ts_ms) > startedAt + 500).length >= 6, 30_000);
  for (const b of beats) {
    assert.deepEqual(b.key, { serverName: prefix });
    assert.deepEqual(Object.keys(b.value!), ['ts_ms']);
    assert.equal(b.partition, 0, 'Debezium writes heartbeats to partition 0 (the topic has 3)');
  }
  const late = beats.map((b) => Number(b.value!.ts_ms)).filter((t) => t > startedAt + 500);
  const gaps = late.slice(1).map((t, i) => t - late[i]!);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(mean >= 300 && mean <= 1500, `heartbeats every ~400 ms, got gaps ${gaps.join(', ')}`);
  // schemas as Debezium's Avro converter registers them
  const decoder = new RegistryDecoder(services.registryUrl);
  const keySchema = (await decoder.schemaJson(beats[0]!.keySchemaId!)) as Record<string, unknown>;
  const valueSchema = (await decoder.schemaJson(beats[0]!.valueSchemaId!)) as Record<string, unknown>;
  assert.equal(keySchema['connect.name'], 'io.debezium.connector.common.ServerNameKey');
  assert.equal(valueSchema['connect.name'], 'io.debezium.connector.common.Heartbeat');
  assert.deepEqual(valueSchema.fields, [{ name: 'ts_ms', type: 'long' }]);
  // the table's events were acknowledged, and the offset stored, with the heartbeats that followed
  const events = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.captured`], (rs) => rs.length >= 2, 30_000);
  // 3 partitions: the two keys may sit in different ones, so their order across partitions is open
  assert.deepEqual(events.map((e) => Number(e.value!.after.id)).sort((x, y) => x - y), [1, 2]);
  const slotPos = await withClient(db, async (c) => (await c.query(`SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS behind FROM pg_replication_slots WHERE slot_name = $1`, [NAME2])).rows[0].behind);
  assert.ok(Number(slotPos) < 1_000_000, `slot confirmed near the WAL end, ${slotPos} bytes behind`);
});
