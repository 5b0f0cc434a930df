import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { rebuildTable } from '../harness/oracle.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { openKafka } from '../../src/kafka/client.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

const NAME = 'pgcdc_it_crash';
const ROWS = 100_000;
let worker: WorkerProcess | undefined;

after(async () => {
  await worker?.kill('SIGKILL');
  await dropDatabase(await testServices(), NAME);
});

test('kill -9 in the middle of a large transaction: no gap, duplicates only after the stored offset', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, payload text NOT NULL)`));
  const config = testConnectorConfig(db, services, NAME, { 'max.batch.size': '500', 'offset.flush.interval.ms': '100' });
  const offsetTopic = `pgcdc-test-offsets-${topicPrefixFor(NAME)}`;
  const topic = `${topicPrefixFor(NAME)}.public.items`;
  const offsets = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }), offsetTopic);
  const offsetKey = KafkaOffsetStore.key(NAME, topicPrefixFor(NAME));
  const slotConfirmed = async () =>
    withClient(db, async (c) => {
      const r = await c.query(`SELECT (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [NAME]);
      return r.rows[0]?.pos != null ? BigInt(r.rows[0].pos) : null; // NULL while the slot is being created
    });

  worker = new WorkerProcess(services, config, offsetTopic);
  worker.start();
  await eventually(async () => (await slotConfirmed()) !== null, `the slot to be created (${worker.output.slice(-500)})`);
  // One transaction of ROWS rows, in id order, so change index i is id i + 1.
  await withClient(db, (c) => c.query(`INSERT INTO items SELECT g, 'row ' || g || repeat('x', 100) FROM generate_series(1, ${ROWS}) g`));

  await offsets.start();
  await eventually(async () => {
    const stored = await offsets.read(offsetKey);
    return stored !== undefined && Number(stored.pgcdc_tx_changes) > ROWS / 10 && stored.pgcdc_tx_complete === false;
  }, 'part of the transaction to be delivered and its offset stored', 120_000);
  assert.equal(await worker.kill('SIGKILL'), null, 'the worker died by SIGKILL');

  const stored = (await offsets.read(offsetKey))!;
  const deliveredChanges = Number(stored.pgcdc_tx_changes);
  assert.ok(deliveredChanges < ROWS, `killed mid-transaction (${deliveredChanges} of ${ROWS} stored)`);
  const confirmed = (await slotConfirmed())!;
  assert.ok(confirmed <= BigInt(stored.pgcdc_flush_lsn as string), 'confirmed_flush_lsn never passes the stored offset');

  worker.start();
  const ids = new Set<number>();
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => ids.add((r[r.length - 1].key as { id: number }).id).size >= ROWS, 180_000).catch((err) => {
    throw new Error(`${(err as Error).message}\nworker output:\n${worker!.output.slice(-3000)}`);
  });
  await worker.kill('SIGTERM');

  const rebuilt = rebuildTable(records, (row) => String(row.id));
  const source = await withClient(db, (c) => c.query(`SELECT id, payload FROM items ORDER BY id`));
  assert.equal(rebuilt.size, source.rowCount, 'every source row was rebuilt from the topic');
  for (const row of source.rows) assert.deepEqual(rebuilt.get(String(row.id)), { id: row.id, payload: row.payload });

  const seen = new Map<number, number>();
  for (const r of records) {
    const id = (r.key as { id: number }).id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const earliestDuplicate = Math.min(...duplicated, Infinity);
  assert.ok(earliestDuplicate > deliveredChanges, `duplicates start at id ${earliestDuplicate}, after the ${deliveredChanges} changes of the stored offset`);
  await offsets.stop();
});
