import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics, type DecodedRecord } from '../harness/topics.js';
import { exactlyOnceFindings } from '../harness/eos-checks.js';
import { rebuildTable } from '../harness/oracle.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { openKafka } from '../../src/kafka/client.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

/**
 * Exactly-once while an interrupted snapshot is finished (issue 17): the stream first catches up on
 * what was written while the worker was down, and under exactly-once that catch-up commits as it
 * goes, its stored state naming the snapshot, the stream position and the rows to read again by key
 * (updates that left a TOASTed value unchanged). A kill -9 in the middle of that catch-up must lose
 * nothing, send nothing twice and leave no placeholder where the value was never sent.
 */
const NAME = 'pgcdc_it_eos_resume';
const ROWS = 8000;
const FILLER = 150_000;
const PLACEHOLDER = '__debezium_unavailable_value';
let worker: WorkerProcess | undefined;
let store: KafkaOffsetStore | undefined;

after(async () => {
  await worker?.kill('SIGKILL');
  await store?.stop().catch(() => {});
  await dropDatabase(await testServices(), NAME);
});

type Snap = { done: string[]; chunks: unknown[]; stream?: unknown; rereads?: { keys: Record<string, unknown[]>; whole: number[] } };

test('exactly-once: kill -9 during a resumed snapshot\'s catch-up, no loss, no duplicate, no placeholder left', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL, big text NOT NULL)`);
    await c.query(`ALTER TABLE items ALTER COLUMN big SET STORAGE EXTERNAL`);
    // ~3 kB per row stored out of line, so an update of n leaves big unchanged in the WAL
    await c.query(`INSERT INTO items SELECT g, 0, repeat(md5(g::text), 100) FROM generate_series(1, ${ROWS}) g`);
    await c.query(`CREATE TABLE filler (id int PRIMARY KEY, v text NOT NULL)`);
    await c.query(`ANALYZE items`);
  });
  const config = testConnectorConfig(db, services, NAME, {
    'exactly.once.support': 'required', 'snapshot.chunk.rows': '500', 'snapshot.fetch.size': '100', 'snapshot.max.threads': '1',
    'table.include.list': 'public.items,public.filler',
  });
  store = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }), `pgcdc-test-offsets-${topicPrefixFor(NAME)}`);
  const key = KafkaOffsetStore.key(NAME, topicPrefixFor(NAME));
  const snap = async () => (await store!.read(key))?.pgcdc_snapshot as Snap | undefined;
  const output = () => worker!.output.slice(-3000);
  worker = new WorkerProcess(services, config, store.topic);
  worker.start();
  await store.start();
  await eventually(async () => ((await snap())?.done.length ?? 0) >= 3, 'a few chunks committed', 120_000);
  assert.equal(await worker.kill('SIGKILL'), null);
  const first = (await snap())!;
  assert.ok(first.done.length < first.chunks.length, 'killed inside the snapshot');

  // While the worker is down: TOAST-unchanged updates of rows in read and unread chunks, and enough
  // other changes that the catch-up takes a while.
  await withClient(db, async (c) => {
    await c.query(`UPDATE items SET n = n + 1 WHERE id % 50 = 0`);
    await c.query(`INSERT INTO filler SELECT g, repeat('f', 60) FROM generate_series(1, ${FILLER}) g`);
    await c.query(`UPDATE items SET n = n + 10 WHERE id % 50 = 1`);
  });

  worker.start();
  await eventually(async () => {
    const s = await snap();
    return s?.stream !== undefined && s.rereads !== undefined && Object.keys(s.rereads.keys).length + s.rereads.whole.length > 0;
  }, `part of the catch-up committed with the rows to read again\n${output()}`, 180_000);
  assert.equal(await worker.kill('SIGKILL'), null, 'killed during the catch-up');
  const mid = (await snap())!;
  assert.ok(mid.done.length < mid.chunks.length, 'the snapshot was still unfinished');

  worker.start();
  const itemsTopic = `${topicPrefixFor(NAME)}.public.items`;
  const fillerTopic = `${topicPrefixFor(NAME)}.public.filler`;
  await eventually(async () => (await store!.read(key))?.snapshot_completed === true || (await snap()) === undefined, `the snapshot to complete\n${output()}`, 240_000);
  await withClient(db, (c) => c.query(`INSERT INTO filler VALUES (0, 'last')`));
  let lastSeen = false;
  const records: DecodedRecord[] = await readTopics(services.kafkaBrokers, services.registryUrl, [itemsTopic, fillerTopic], (rs) => {
    const r = rs[rs.length - 1]!;
    if (r.topic === fillerTopic && (r.key as { id: number } | null)?.id === 0 && r.value) lastSeen = true;
    return lastSeen;
  }, 240_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${output()}`);
  });
  assert.equal(await worker.kill('SIGTERM'), 0);

  const { duplicates } = exactlyOnceFindings(records);
  assert.deepEqual(duplicates.slice(0, 5), [], `${duplicates.length} events seen twice by a read_committed reader`);
  const rebuilt = rebuildTable(records.filter((r) => r.topic === itemsTopic), (row) => String(row.id));
  const source = await withClient(db, (c) => c.query(`SELECT id, n, big FROM items ORDER BY id`));
  assert.equal(rebuilt.size, ROWS);
  for (const row of source.rows) {
    const got = rebuilt.get(String(row.id));
    assert.ok(got && got.big !== PLACEHOLDER, `row ${row.id}: the real TOASTed value, not the placeholder`);
    assert.deepEqual(got, { id: row.id, n: row.n, big: row.big });
  }
  assert.equal(rebuildTable(records.filter((r) => r.topic === fillerTopic), (row) => String(row.id)).size, FILLER + 1);
});
