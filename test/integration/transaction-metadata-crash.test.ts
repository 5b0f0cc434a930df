// provide.transaction.metadata across kill -9 inside a large transaction: one BEGIN, the orders continue
// after the restart (a re-sent event carries the same block as its first copy), END counts every row.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { openKafka } from '../../src/kafka/client.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

const NAME = 'pgcdc_it_txmeta_crash';
const ROWS = 60_000;
let worker: WorkerProcess | undefined;

after(async () => {
  await worker?.kill('SIGKILL');
  await dropDatabase(await testServices(), NAME);
});

test('kill -9 inside a transaction with transaction metadata: one BEGIN, orders continue, END counts the whole transaction', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, payload text NOT NULL)`));
  const config = testConnectorConfig(db, services, NAME, { 'max.batch.size': '500', 'offset.flush.interval.ms': '100', 'provide.transaction.metadata': 'true' });
  const offsetTopic = `pgcdc-test-offsets-${topicPrefixFor(NAME)}`;
  const prefix = topicPrefixFor(NAME);
  const offsets = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }), offsetTopic);
  const offsetKey = KafkaOffsetStore.key(NAME, prefix);
  const slotReady = async () => withClient(db, async (c) => (await c.query(`SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1`, [NAME])).rows[0]?.confirmed_flush_lsn != null);

  worker = new WorkerProcess(services, config, offsetTopic);
  worker.start();
  await eventually(slotReady, `the slot to be created (${worker.output.slice(-500)})`);
  await withClient(db, (c) => c.query(`INSERT INTO items SELECT g, 'row ' || g || repeat('x', 100) FROM generate_series(1, ${ROWS}) g`));
  await offsets.start();
  await eventually(async () => {
    const stored = await offsets.read(offsetKey);
    return stored !== undefined && Number(stored.pgcdc_tx_changes) > ROWS / 10 && stored.pgcdc_tx_complete === false;
  }, 'part of the transaction to be delivered and its offset stored', 120_000);
  assert.equal(await worker.kill('SIGKILL'), null, 'the worker died by SIGKILL');
  const delivered = Number((await offsets.read(offsetKey))!.pgcdc_tx_changes);
  assert.ok(delivered < ROWS, `killed mid-transaction (${delivered} of ${ROWS} stored)`);

  worker.start();
  const txTopic = `${prefix}.transaction`;
  // every row and the END (written after the last event; the partitions are read side by side);
  // the check looks only at the records added since it last ran, so reading stays linear
  const ids = new Set<number>();
  let seen = 0;
  let ended = false;
  const all = await readTopics(services.kafkaBrokers, services.registryUrl, [txTopic, `${prefix}.public.items`], (r) => {
    for (; seen < r.length; seen++) {
      const x = r[seen]!;
      if (x.topic === txTopic) ended ||= x.value?.status === 'END';
      else ids.add((x.key as { id: number }).id);
    }
    return ended && ids.size >= ROWS;
  }, 240_000).catch((err) => {
    throw new Error(`${(err as Error).message}\nworker output:\n${worker!.output.slice(-3000)}`);
  });
  await worker.kill('SIGTERM');
  await offsets.stop();

  const meta = all.filter((r) => r.topic === txTopic).map((r) => r.value!);
  assert.deepEqual(meta.map((m) => m.status), ['BEGIN', 'END'], 'one BEGIN and one END, none repeated after the restart');
  assert.equal(Number(meta[1].event_count), ROWS);
  assert.deepEqual(meta[1].data_collections.map((d: { data_collection: string; event_count: number }) => [d.data_collection, Number(d.event_count)]), [['public.items', ROWS]]);
  const xid = meta[0].id.split(':')[0];
  const blocks = new Map<number, string>();
  let duplicates = 0;
  for (const r of all.filter((x) => x.topic !== txTopic)) {
    const id = (r.key as { id: number }).id;
    const t = r.value!.transaction;
    // rows are inserted in id order: change i is id i
    assert.equal(Number(t.total_order), id, `total_order of id ${id}`);
    assert.equal(Number(t.data_collection_order), id);
    assert.equal(t.id, `${xid}:${r.value!.source.lsn}`);
    const block = JSON.stringify(t);
    if (blocks.has(id)) {
      duplicates++;
      assert.equal(block, blocks.get(id), `a re-sent event carries the block of its first copy (id ${id})`);
    }
    blocks.set(id, block);
  }
  assert.equal(blocks.size, ROWS);
  console.log(`delivered before the kill: ${delivered}; re-sent after it: ${duplicates}`);
});
