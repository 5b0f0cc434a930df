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
import type { SnapshotChunk } from '../../src/snapshot/snapshot-state.js';

const NAME = 'pgcdc_it_snapresume';
const ROWS = 150_000;
let worker: WorkerProcess | undefined;

after(async () => {
  await worker?.kill('SIGKILL');
  await dropDatabase(await testServices(), NAME);
});

test('kill -9 in the middle of a snapshot: it resumes with the chunks not done and converges', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TABLE big (id int PRIMARY KEY, payload text NOT NULL)`);
    await c.query(`INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, ${ROWS}) g`);
    await c.query(`ANALYZE big`);
  });
  const config = testConnectorConfig(db, services, NAME, { 'snapshot.chunk.rows': '10000', 'snapshot.max.threads': '2', 'snapshot.fetch.size': '2000', 'offset.flush.interval.ms': '50' });
  const offsetTopic = `pgcdc-test-offsets-${topicPrefixFor(NAME)}`;
  const offsets = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }), offsetTopic);
  await offsets.start();
  const key = KafkaOffsetStore.key(NAME, topicPrefixFor(NAME));
  type Snap = { chunks: SnapshotChunk[]; done: string[] };

  worker = new WorkerProcess(services, config, offsetTopic);
  worker.start();
  let atKill: Snap | undefined;
  await eventually(async () => {
    const snap = (await offsets.read(key))?.pgcdc_snapshot as Snap | undefined;
    if (snap && snap.done.length >= 2 && snap.done.length < snap.chunks.length - 2) atKill = snap;
    return atKill !== undefined;
  }, `part of the snapshot to be stored (${worker.output.slice(-400)})`, 120_000);
  await worker.kill('SIGKILL');
  const stored = (await offsets.read(key))!.pgcdc_snapshot as Snap;
  assert.ok(stored.done.length < stored.chunks.length, 'killed before the snapshot completed');

  worker.start();
  const ids = new Set<number>();
  const topic = `${topicPrefixFor(NAME)}.public.big`;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => ids.add((r[r.length - 1].key as { id: number }).id).size >= ROWS, 180_000).catch((err) => {
    throw new Error(`${(err as Error).message}\n${worker!.output.slice(-2000)}`);
  });
  // complete: the snapshot state gives way to a streaming offset (marked snapshot_completed once; later keepalive offsets drop the mark)
  await eventually(async () => { const o = await offsets.read(key); return o !== undefined && (o.snapshot_completed === true || o.pgcdc_snapshot === undefined); }, 'the snapshot to be marked complete', 60_000);
  await worker.kill('SIGTERM');

  const rebuilt = rebuildTable(records, (row) => String(row.id));
  const source = await withClient(db, (c) => c.query(`SELECT id, payload FROM big ORDER BY id`));
  assert.equal(rebuilt.size, ROWS);
  for (const row of source.rows) assert.deepEqual(rebuilt.get(String(row.id)), row);

  // Rows of chunks finished before the kill were not read again after it.
  const reads = new Map<number, number>();
  for (const r of records) if (r.value?.op === 'r') reads.set((r.key as { id: number }).id, (reads.get((r.key as { id: number }).id) ?? 0) + 1);
  const doneChunks = stored.chunks.filter((c) => stored.done.includes(c.id));
  for (const chunk of doneChunks) {
    const range = chunk.toBlock === null ? `ctid >= '(${chunk.fromBlock},0)'` : `ctid >= '(${chunk.fromBlock},0)' AND ctid < '(${chunk.toBlock},0)'`;
    const inChunk = await withClient(db, (c) => c.query(`SELECT id FROM big WHERE ${range}`));
    assert.ok(inChunk.rowCount! > 0);
    for (const { id } of inChunk.rows) assert.equal(reads.get(id), 1, `row ${id} of finished chunk ${chunk.id} read once`);
  }
  const total = [...reads.values()].reduce((a, b) => a + b, 0);
  assert.ok(total < 2 * ROWS, `resumed instead of starting over (${total} reads for ${ROWS} rows)`);
  await offsets.stop();
});
