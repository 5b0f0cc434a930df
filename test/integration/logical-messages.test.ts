import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, RegistryDecoder, type DecodedRecord } from '../harness/topics.js';

const NAME = 'pgcdc_it_heartbeat_msg_messages';
const running: RunningConnector[] = [];

after(async () => {
  for (const r of running.splice(0)) await r.stop();
  await dropDatabase(await testServices(), NAME);
});

const contentOf = (r: DecodedRecord) => Buffer.from(r.value!.message.content as Buffer).toString('utf8');

test('pg_logical_emit_message: op "m" events on <topic.prefix>.message, transactional ones in their transaction\'s order, non-transactional at once, prefixes filtered; table events unaffected, none repeated after a restart', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE t (id int PRIMARY KEY)`));
  const prefix = topicPrefixFor(NAME);
  const config = testConnectorConfig(db, services, NAME, { 'message.prefix.exclude.list': 'noise.*' });
  let r = await startConnector(services, config);
  running.push(r);
  await eventually(() => r.connector.state === 'RUNNING', 'the connector to stream');
  // wait until streaming has really started (the snapshot of the empty table is done)
  await withClient(db, (c) => c.query(`INSERT INTO t VALUES (0)`));
  await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.t`], (rs) => rs.some((e) => e.value?.op === 'c'), 30_000);

  const txid = await withClient(db, async (c) => {
    await c.query('BEGIN');
    await c.query(`INSERT INTO t VALUES (1)`);
    const x = await c.query(`SELECT txid_current()::bigint AS x, pg_logical_emit_message(true, 'audit', 'in-tx')`);
    await c.query(`INSERT INTO t VALUES (2)`);
    await c.query('COMMIT');
    return Number(x.rows[0].x);
  });
  await withClient(db, async (c) => {
    await c.query(`SELECT pg_logical_emit_message(false, 'audit', '\\x00ff'::bytea)`);
    await c.query(`SELECT pg_logical_emit_message(true, 'noise', 'filtered')`);
    await c.query(`SELECT pg_logical_emit_message(false, 'NOISE-2', 'filtered too')`);
    await c.query('BEGIN');
    await c.query(`SELECT pg_logical_emit_message(true, 'audit', 'rolled back')`);
    await c.query('ROLLBACK');
  });
  // a non-transactional message is streamed at once, while the transaction around it is still open
  const open = new pg.Client(db);
  await open.connect();
  try {
    await open.query('BEGIN');
    await open.query(`INSERT INTO t VALUES (3)`);
    await open.query(`SELECT pg_logical_emit_message(false, 'audit', 'early')`);
    const early = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.message`], (rs) => rs.some((m) => contentOf(m) === 'early'), 30_000);
    const tableNow = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.t`], (rs) => rs.filter((e) => e.value?.op === 'c').length >= 3, 30_000);
    assert.ok(!tableNow.some((e) => e.value?.after?.id === 3), 'the open transaction\'s insert is not streamed yet');
    assert.deepEqual(early.map((m) => m.value!.message.prefix), ['audit', 'audit', 'audit']);
    await open.query('COMMIT');
  } finally {
    await open.end();
  }
  await withClient(db, (c) => c.query(`INSERT INTO t VALUES (4)`));
  const tableEvents = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.t`], (rs) => rs.some((e) => e.value?.after?.id === 4), 30_000);
  assert.deepEqual(tableEvents.filter((e) => e.value?.op === 'c').map((e) => e.value!.after.id), [0, 1, 2, 3, 4]);

  const messages = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.message`], (rs) => rs.length >= 3, 30_000);
  assert.deepEqual(messages.map((m) => m.value!.message.content instanceof Buffer || m.value!.message.content instanceof Uint8Array), [true, true, true]);
  assert.deepEqual(messages.map((m) => Buffer.from(m.value!.message.content).toString('hex')), [Buffer.from('in-tx').toString('hex'), '00ff', Buffer.from('early').toString('hex')]);
  for (const m of messages) {
    assert.deepEqual(m.key, { prefix: 'audit' });
    assert.equal(m.value!.op, 'm');
    assert.equal(m.value!.transaction, null);
    assert.equal(m.value!.source.schema, '');
    assert.equal(m.value!.source.table, '');
    assert.equal(m.value!.source.name, prefix);
    assert.equal(m.value!.source.db, db.database);
    assert.ok(m.value!.source.lsn > 0);
    assert.deepEqual(Object.keys(m.value!), ['op', 'ts_ms', 'source', 'transaction', 'message']);
  }
  assert.equal(Number(messages[0]!.value!.source.txId), txid, 'a transactional message carries its transaction\'s id');
  assert.equal(messages[1]!.value!.source.txId, null);
  assert.equal(messages[2]!.value!.source.txId, null);
  // the transactional message sits between its transaction's changes in WAL order (its LSN is the
  // end of its WAL record, where the next insert's record starts)
  const [in1, in2] = tableEvents.filter((e) => e.value?.after?.id === 1 || e.value?.after?.id === 2).map((e) => BigInt(e.value!.source.lsn));
  const inTx = BigInt(messages[0]!.value!.source.lsn);
  assert.ok(in1! < inTx && inTx <= in2!, `message LSN ${inTx} between the inserts ${in1} and ${in2}`);
  const decoder = new RegistryDecoder(services.registryUrl);
  const valueSchema = (await decoder.schemaJson(messages[0]!.valueSchemaId!)) as Record<string, unknown>;
  const keySchema = (await decoder.schemaJson(messages[0]!.keySchemaId!)) as Record<string, unknown>;
  assert.equal(valueSchema['connect.name'], 'io.debezium.connector.postgresql.MessageValue');
  assert.equal(keySchema['connect.name'], 'io.debezium.connector.postgresql.MessageKey');

  // restart: nothing delivered is sent again, new messages and changes follow
  await r.stop();
  running.splice(running.indexOf(r), 1);
  r = await startConnector(services, config);
  running.push(r);
  await eventually(() => r.connector.state === 'RUNNING', 'the connector to stream again');
  await withClient(db, async (c) => {
    await c.query(`SELECT pg_logical_emit_message(false, 'audit', 'after restart')`);
    await c.query(`INSERT INTO t VALUES (5)`);
  });
  const after5 = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.t`], (rs) => rs.some((e) => e.value?.after?.id === 5), 30_000);
  assert.deepEqual(after5.filter((e) => e.value?.op === 'c').map((e) => e.value!.after.id), [0, 1, 2, 3, 4, 5]);
  const all = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.message`], (rs) => rs.length >= 4, 30_000);
  await new Promise((res) => setTimeout(res, 500));
  const settled = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.message`], (rs) => rs.length >= all.length, 30_000);
  assert.deepEqual(settled.map(contentOf).slice(2), ['early', 'after restart']);
  assert.equal(settled.length, 4);
});
