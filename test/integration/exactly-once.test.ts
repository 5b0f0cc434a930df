import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopicRecords, topicEnd } from '../harness/topic-reader.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { openKafka } from '../../src/kafka/client.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

// exactly.once.support=required (issue 17): records and the offset commit together, so what a
// read_committed reader sees always equals what the stored offset names, and a kill -9 leaves
// neither a gap nor a duplicate.

const STREAM = 'pgcdc_it_eos_stream';
const SNAP = 'pgcdc_it_eos_snap';
const workers: WorkerProcess[] = [];
const stores: KafkaOffsetStore[] = [];

after(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  // open Kafka clients would keep the test process alive
  for (const s of stores) await s.stop().catch(() => {});
  const services = await testServices();
  await dropDatabase(services, STREAM);
  await dropDatabase(services, SNAP);
});

function offsetsOf(services: TestServices, name: string) {
  const store = new KafkaOffsetStore(openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }), `pgcdc-test-offsets-${topicPrefixFor(name)}`);
  stores.push(store);
  return { store, key: KafkaOffsetStore.key(name, topicPrefixFor(name)) };
}

/** Committed records of `topic` up to its last stable offset (read_committed), counted by key text. */
async function committedKeys(services: TestServices, topic: string, timeoutMs = 90_000): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await readTopicRecords(services.kafkaBrokers, [topic], (r) => {
    if (r.value === null) return;
    const k = r.key!.toString('hex');
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }, { toCurrentEnd: true, timeoutMs });
  return seen;
}

/** eventually(), with the worker's output as it is when the wait fails. */
async function waitFor(worker: WorkerProcess, check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  await eventually(check, what, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}\nworker output:\n${worker.output.slice(-3000)}`);
  });
}

function total(seen: Map<string, number>): number {
  let n = 0;
  for (const v of seen.values()) n += v;
  return n;
}

/** A test body whose failure message ends with the output of the workers it started. */
function withWorkerOutput(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    const before = workers.length;
    try {
      await body();
    } catch (err) {
      const out = workers.slice(before).map((w) => w.output.slice(-4000)).join('\n---\n');
      (err as Error).message += `\nworker output:\n${out}`;
      throw err;
    }
  };
}

test('exactly-once streaming: kill -9 mid-transaction, the committed view equals the stored offset, no duplicate after restart', withWorkerOutput(async () => {
  const ROWS = 60_000;
  const services = await testServices();
  const db = await freshDatabase(services, STREAM);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, payload text NOT NULL)`));
  const config = testConnectorConfig(db, services, STREAM, { 'exactly.once.support': 'required', 'max.batch.size': '500' });
  const topic = `${topicPrefixFor(STREAM)}.public.items`;
  const { store, key } = offsetsOf(services, STREAM);
  const worker = new WorkerProcess(services, config, store.topic);
  workers.push(worker);
  worker.start();
  await withClient(db, (c) => c.query(`INSERT INTO items VALUES (0, 'first')`));
  await store.start();
  await waitFor(worker, async () => total(await committedKeys(services, topic)) === 1, 'the first row to be committed', 60_000);

  await withClient(db, (c) => c.query(`INSERT INTO items SELECT g, 'row ' || g || repeat('x', 100) FROM generate_series(1, ${ROWS}) g`));
  await eventually(async () => {
    const o = await store.read(key);
    return o !== undefined && o.pgcdc_tx_complete === false && Number(o.pgcdc_tx_changes) > ROWS / 10;
  }, 'part of the large transaction to be committed', 120_000);
  assert.equal(await worker.kill('SIGKILL'), null, 'the worker died by SIGKILL');

  // Whatever the kill interrupted: committed records are exactly those the stored offset names.
  const stored = (await store.read(key))!;
  const changes = Number(stored.pgcdc_tx_changes);
  const committed = await committedKeys(services, topic);
  assert.ok(changes < ROWS, `killed mid-transaction (${changes} of ${ROWS} committed)`);
  assert.equal(total(committed), 1 + (stored.pgcdc_tx_complete ? ROWS : changes), 'read_committed sees exactly the changes the stored offset names');

  worker.start();
  await waitFor(worker, async () => total(await committedKeys(services, topic)) === ROWS + 1, 'the large transaction to be committed after the restart', 180_000);
  await withClient(db, (c) => c.query(`UPDATE items SET payload = 'changed' WHERE id = 0; DELETE FROM items WHERE id = 1`));
  await waitFor(worker, async () => total(await committedKeys(services, topic)) === ROWS + 3, 'the update and the delete to be committed', 60_000);
  assert.equal(await worker.kill('SIGTERM'), 0);

  const seen = await committedKeys(services, topic);
  const duplicated = [...seen].filter(([, n]) => n > 1);
  // id 0: insert + update; id 1: insert + delete; everything else exactly once
  assert.equal(seen.size, ROWS + 1, 'every row has its events');
  assert.equal(duplicated.length, 2, `only the two rows changed twice have two events (${duplicated.length} keys had more)`);
  assert.ok(await topicEnd(services.kafkaBrokers, topic) > BigInt(total(seen) + 1), 'transaction markers sit between the records (the topic was written transactionally)');
  const slot = await withClient(db, (c) => c.query(`SELECT (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [STREAM]));
  const final = (await store.read(key))!;
  assert.ok(BigInt(slot.rows[0].pos) <= BigInt(final.pgcdc_flush_lsn as string), 'confirmed_flush_lsn never passes the committed offset');
}));

test('exactly-once snapshot: kill -9 between chunks, every row read exactly once', withWorkerOutput(async () => {
  const ROWS = 40_000;
  const services = await testServices();
  const db = await freshDatabase(services, SNAP);
  await withClient(db, (c) => c.query(`CREATE TABLE rows (id int PRIMARY KEY, payload text NOT NULL);
    INSERT INTO rows SELECT g, repeat('y', 200) FROM generate_series(1, ${ROWS}) g`));
  const config = testConnectorConfig(db, services, SNAP, { 'exactly.once.support': 'required', 'snapshot.chunk.rows': '2000', 'snapshot.max.threads': '2', 'snapshot.fetch.size': '500' });
  const topic = `${topicPrefixFor(SNAP)}.public.rows`;
  const { store, key } = offsetsOf(services, SNAP);
  const worker = new WorkerProcess(services, config, store.topic);
  workers.push(worker);
  worker.start();
  await store.start();
  await waitFor(worker, async () => {
    const o = await store.read(key);
    const done = (o?.pgcdc_snapshot as { done?: string[] } | undefined)?.done?.length ?? 0;
    return done >= 2;
  }, 'a few chunks to be committed', 120_000);
  assert.equal(await worker.kill('SIGKILL'), null);

  const stored = (await store.read(key))!;
  const snap = stored.pgcdc_snapshot as { done: string[]; chunks: { id: string; fromBlock: number; toBlock: number | null }[] };
  assert.ok(snap.done.length < snap.chunks.length, `killed inside the snapshot (${snap.done.length} of ${snap.chunks.length} chunks)`);
  // The table is not written to, so the chunks' heap-block ranges still hold the rows they held.
  let inDoneChunks = 0;
  for (const c of snap.chunks.filter((c) => snap.done.includes(c.id))) {
    const range = c.toBlock === null ? `ctid >= '(${c.fromBlock},0)'::tid` : `ctid >= '(${c.fromBlock},0)'::tid AND ctid < '(${c.toBlock},0)'::tid`;
    inDoneChunks += Number((await withClient(db, (cl) => cl.query(`SELECT count(*)::int AS n FROM rows WHERE ${range}`))).rows[0].n);
  }
  const committed = await committedKeys(services, topic);
  assert.equal(total(committed), inDoneChunks, 'read_committed sees exactly the rows of the chunks the stored offset lists as done');
  assert.equal([...committed.values()].filter((n) => n > 1).length, 0);

  worker.start();
  await waitFor(worker, async () => total(await committedKeys(services, topic)) >= ROWS, 'the snapshot to complete after the restart', 180_000);
  await withClient(db, (c) => c.query(`INSERT INTO rows VALUES (${ROWS + 1}, 'streamed')`));
  await waitFor(worker, async () => (await committedKeys(services, topic)).size === ROWS + 1, 'the streamed row', 60_000);
  assert.equal(await worker.kill('SIGTERM'), 0);
  const seen = await committedKeys(services, topic);
  assert.equal(total(seen), ROWS + 1, 'every row exactly once (read events of both runs plus the streamed insert)');
}));
