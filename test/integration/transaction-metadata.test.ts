// provide.transaction.metadata on the real stack: BEGIN/END records on <topic.prefix>.transaction with
// Debezium's schemas through the registry, and every streamed event's transaction block.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, type DecodedRecord } from '../harness/topics.js';
import { javaHashMapOrder } from '../../src/events/java-hashmap-order.js';

const NAME = 'pgcdc_it_txmeta';
let running: RunningConnector | undefined;

after(async () => {
  await running?.stop();
  await dropDatabase(await testServices(), NAME);
});

test('provide.transaction.metadata: BEGIN/END per transaction with counts and data_collections; events carry id, total_order, data_collection_order', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const sql = (text: string) => withClient(db, (c) => c.query(text));
  await sql(`CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, v text); CREATE TABLE c (id int PRIMARY KEY, v text);
    CREATE TABLE ignored (id int PRIMARY KEY); INSERT INTO a VALUES (0, 'snapshot')`);
  const prefix = topicPrefixFor(NAME);
  running = await startConnector(services, testConnectorConfig(db, services, NAME, {
    'table.include.list': 'public.a,public.b,public.c',
    // FOR ALL TABLES: the transaction on the uncaptured table reaches the connector (as with Debezium's default)
    'publication.autocreate.mode': 'all_tables',
    'provide.transaction.metadata': 'true',
  }));
  const xid = async (statements: string): Promise<string> => withClient(db, async (c) => {
    await c.query('BEGIN');
    await c.query(statements);
    const r = await c.query('SELECT txid_current()::text AS x');
    await c.query('COMMIT');
    return String(Number(BigInt(r.rows[0].x) & 0xffffffffn));
  });
  const x1 = await xid(`INSERT INTO a VALUES (1, 'x'); INSERT INTO b VALUES (1, 'x'); UPDATE a SET v = 'y' WHERE id = 1; INSERT INTO c VALUES (1, 'x'); INSERT INTO a VALUES (2, 'x')`);
  const x2 = await xid(`INSERT INTO b VALUES (2, 'single table')`);
  const x3 = await xid(`INSERT INTO ignored VALUES (1)`);
  const x4 = await xid(`DELETE FROM a WHERE id = 2; INSERT INTO b VALUES (3, 'x')`);
  const txTopic = `${prefix}.transaction`;
  const tables = ['a', 'b', 'c'].map((t) => `${prefix}.public.${t}`);
  const ends = (r: DecodedRecord[]) => r.filter((x) => x.topic === txTopic && x.value?.status === 'END').length;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [txTopic, ...tables], (r) => ends(r) >= 4 && r.filter((x) => x.topic !== txTopic).length >= 10);
  assert.equal(running.connector.state, 'RUNNING', running.connector.trace ?? '');

  const meta = records.filter((r) => r.topic === txTopic);
  const events = records.filter((r) => r.topic !== txTopic && r.value);
  const snapshot = events.filter((e) => e.value!.op === 'r');
  assert.equal(snapshot.length, 1);
  assert.equal(snapshot[0]!.value!.transaction, null, 'snapshot events have no transaction block, as in Debezium');
  const txPart = (id: string) => id.split(':')[0]!;
  const lsnPart = (id: string) => id.split(':')[1]!;

  // one BEGIN and one END per streamed transaction, keyed by the value's id; only the txId part is shared
  const begins = meta.filter((m) => m.value!.status === 'BEGIN');
  const endRecords = meta.filter((m) => m.value!.status === 'END');
  assert.deepEqual(begins.map((m) => txPart(m.value!.id)), [x1, x2, x3, x4]);
  assert.deepEqual(endRecords.map((m) => txPart(m.value!.id)), [x1, x2, x3, x4]);
  for (const m of meta) assert.deepEqual(m.key, { id: m.value!.id });
  for (const m of begins) {
    assert.equal(m.value!.event_count, null);
    assert.equal(m.value!.data_collections, null);
  }

  const expected: Record<string, { count: number; tables: [string, number][] }> = {
    [x1]: { count: 5, tables: [['public.a', 3], ['public.b', 1], ['public.c', 1]] },
    [x2]: { count: 1, tables: [['public.b', 1]] },
    [x3]: { count: 0, tables: [] }, // Debezium writes BEGIN/END for a transaction with no captured change too
    [x4]: { count: 2, tables: [['public.a', 1], ['public.b', 1]] },
  };
  for (const end of endRecords) {
    const x = txPart(end.value!.id);
    const e = expected[x]!;
    assert.equal(Number(end.value!.event_count), e.count, `event_count of ${x}`);
    const order = javaHashMapOrder(e.tables.map(([t]) => t));
    assert.deepEqual(end.value!.data_collections.map((d: { data_collection: string; event_count: number }) => [d.data_collection, Number(d.event_count)]),
      order.map((t) => e.tables.find(([n]) => n === t)), `data_collections of ${x}`);
    const begin = begins.find((b) => txPart(b.value!.id) === x)!;
    assert.ok(BigInt(lsnPart(begin.value!.id)) < BigInt(lsnPart(end.value!.id)), 'BEGIN at the Begin message, END at the Commit message');
    const mine = events.filter((ev) => ev.value!.transaction && txPart(ev.value!.transaction.id) === x);
    assert.equal(mine.length, e.count, `events of ${x}`);
    for (const ev of mine) {
      assert.equal(Number(ev.value!.source.txId), Number(x));
      assert.equal(lsnPart(ev.value!.transaction.id), String(ev.value!.source.lsn), 'the id names the event\'s own LSN');
      assert.equal(Number(begin.value!.ts_ms), Number(ev.value!.source.ts_ms), 'ts_ms is the commit time');
    }
    // total_order 1..n in WAL order; data_collection_order 1..n per table
    const byLsn = [...mine].sort((p, q) => Number(BigInt(p.value!.source.lsn) - BigInt(q.value!.source.lsn)));
    assert.deepEqual(byLsn.map((ev) => Number(ev.value!.transaction.total_order)), byLsn.map((_, i) => i + 1));
    for (const [table] of e.tables) {
      const inTable = byLsn.filter((ev) => `public.${ev.value!.source.table}` === table);
      assert.deepEqual(inTable.map((ev) => Number(ev.value!.transaction.data_collection_order)), inTable.map((_, i) => i + 1), `${table} in ${x}`);
    }
  }
  assert.equal(events.filter((ev) => ev.value!.op !== 'r' && !ev.value!.transaction).length, 0, 'every streamed event has its block');

  // the registered schemas carry Debezium's names
  const latest = async (subject: string) => JSON.parse(((await (await fetch(`${services.registryUrl}/subjects/${subject}/versions/latest`)).json()) as { schema: string }).schema);
  const key = await latest(`${txTopic}-key`);
  const value = await latest(`${txTopic}-value`);
  assert.equal(key['connect.name'], 'io.debezium.connector.common.TransactionMetadataKey');
  assert.equal(value['connect.name'], 'io.debezium.connector.common.TransactionMetadataValue');
  assert.deepEqual(value.fields.map((f: { name: string }) => f.name), ['status', 'id', 'event_count', 'data_collections', 'ts_ms']);
  const items = value.fields[3].type[1].items;
  assert.equal(items[1]['connect.name'], 'event.collection');
  const envelope = await latest(`${prefix}.public.a-value`);
  const block = envelope.fields.find((f: { name: string }) => f.name === 'transaction').type[1];
  assert.equal(block['connect.name'], 'event.block');
});
