/**
 * PartitionFetcher and readCompactedTopic read READ_COMMITTED against the real broker: records of
 * aborted transactions are never handed out (for the offset topic an aborted offset would make a
 * connector skip changes), and records of a transaction still open are not read until it is decided.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Admin, ListOffsetTimestamps, Producer, stringSerializers } from '@platformatic/kafka';
import { readCompactedTopic } from '../../src/kafka/compacted-topic.js';
import { PartitionFetcher, type FetchedRecord } from '../../src/kafka/partition-fetch.js';
import { clientOptions, createTopicIfMissing } from '../../src/kafka/platformatic-topics.js';
import { testServices } from '../harness/services.js';

type StringProducer = Producer<string, string, string, string>;

async function setup(label: string) {
  const services = await testServices();
  const connection = { brokers: services.kafkaBrokers, clientId: `fetchrc-${label}` };
  const topic = `fetchrc-${label}-${process.pid}-${Date.now()}`;
  const admin = new Admin(clientOptions(connection, 'admin'));
  await createTopicIfMissing(admin, topic, { partitions: 1, replicationFactor: -1, cleanupPolicy: 'compact' });
  const producers: StringProducer[] = [];
  const transactional = (): StringProducer => {
    const p: StringProducer = new Producer({ ...clientOptions(connection, `tx-${producers.length}`), idempotent: true, acks: -1, maxInflights: 1, transactionalId: `fetchrc-${randomUUID()}`, serializers: stringSerializers });
    producers.push(p);
    return p;
  };
  const highWatermark = async (): Promise<bigint> => {
    const [listed] = await admin.listOffsets({ topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: ListOffsetTimestamps.LATEST }] }] });
    return listed!.partitions.find((p) => p.partitionIndex === 0)!.offset;
  };
  const cleanup = async () => {
    for (const p of producers) await p.close().catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.close().catch(() => {});
  };
  return { connection, topic, transactional, highWatermark, cleanup };
}

async function inTransaction(producer: StringProducer, topic: string, entries: [string, string][], outcome: 'commit' | 'abort'): Promise<void> {
  const tx = await producer.beginTransaction();
  await tx.send({ messages: entries.map(([key, value]) => ({ topic, partition: 0, key, value })) });
  await (outcome === 'commit' ? tx.commit() : tx.abort());
}

/** Every record PartitionFetcher hands out from offset 0 up to `end`. */
async function fetchAll(fetcher: PartitionFetcher, topic: string, end: bigint): Promise<FetchedRecord[]> {
  const out: FetchedRecord[] = [];
  const deadline = Date.now() + 30_000;
  let next = 0n;
  while (next < end) {
    assert.ok(Date.now() < deadline, `fetching stalled at ${next} of ${end}`);
    const fetched = await fetcher.fetch(topic, 0, next);
    next = fetched.next;
    out.push(...fetched.records.filter((r) => r.offset < end));
  }
  return out;
}

const pairs = (records: FetchedRecord[]) => records.map((r) => [r.key?.toString(), r.value?.toString()]);

test('committed, aborted and committed-again transactions: only the committed records are read, in order', async () => {
  const s = await setup('mixed');
  const fetcher = new PartitionFetcher(s.connection, 'fetchrc-reader');
  try {
    const producer = s.transactional();
    await inTransaction(producer, s.topic, [['a', 'a1'], ['b', 'b1']], 'commit');
    await inTransaction(producer, s.topic, [['a', 'a-aborted'], ['c', 'c-aborted']], 'abort');
    await inTransaction(producer, s.topic, [['b', 'b2'], ['d', 'd1']], 'commit');
    // A second producer aborts last: the latest record before the end is an abort marker.
    await inTransaction(s.transactional(), s.topic, [['b', 'b-aborted-last']], 'abort');
    const end = await s.highWatermark();
    assert.ok(end >= 11n, `6 committed + 3 aborted records + 4 markers, end ${end}`);

    const records = await fetchAll(fetcher, s.topic, end);
    assert.deepEqual(pairs(records), [['a', 'a1'], ['b', 'b1'], ['b', 'b2'], ['d', 'd1']]);
    assert.ok(records.every((r, i) => i === 0 || r.offset > records[i - 1]!.offset), 'offsets ascend');
    assert.deepEqual((await fetcher.endOffsets(s.topic))[0], end, 'with no transaction open the LSO is the high watermark');

    const latest = await readCompactedTopic(s.connection, s.topic, end, 20_000);
    assert.deepEqual([...latest].sort(), [['a', 'a1'], ['b', 'b2'], ['d', 'd1']], 'an aborted later value of a key never wins');
  } finally {
    await fetcher.close();
    await s.cleanup();
  }
});

test('an aborted transaction larger than one fetch response (8 MiB) is skipped although its marker comes in a later response', async () => {
  const s = await setup('large');
  const fetcher = new PartitionFetcher(s.connection, 'fetchrc-reader');
  try {
    const producer = s.transactional();
    await inTransaction(producer, s.topic, [['k', 'before']], 'commit');
    const big = 'x'.repeat(900_000);
    const tx = await producer.beginTransaction();
    // One send per value: one batch each (under the broker's 1 MB message limit), 10 of them > 8 MiB.
    for (let i = 0; i < 10; i++) await tx.send({ messages: [{ topic: s.topic, partition: 0, key: 'k', value: `${i}${big}` }] });
    await tx.abort();
    await inTransaction(producer, s.topic, [['k', 'after']], 'commit');
    const end = await s.highWatermark();

    // Offsets: 0 'before', 1 its commit marker, 2-11 aborted, 12 the abort marker, 13 'after', 14 its marker.
    assert.equal(end, 15n);
    const ends: bigint[] = [];
    const records: FetchedRecord[] = [];
    for (let next = 0n; next < end; ) {
      const fetched = await fetcher.fetch(s.topic, 0, next);
      next = fetched.next;
      if (fetched.records.length > 0 || ends.at(-1) !== next) ends.push(next);
      records.push(...fetched.records);
    }
    assert.ok(ends[0]! > 2n && ends[0]! <= 12n, `the first response ends inside the aborted transaction, before its marker (ends ${ends.join(', ')})`);
    assert.deepEqual(pairs(records), [['k', 'before'], ['k', 'after']]);
    assert.deepEqual([...(await readCompactedTopic(s.connection, s.topic, end, 20_000))], [['k', 'after']]);
  } finally {
    await fetcher.close();
    await s.cleanup();
  }
});

for (const outcome of ['commit', 'abort'] as const) {
  test(`an open transaction below the end: readCompactedTopic waits for it, then returns its records only on ${outcome}`, async () => {
    const s = await setup(`open-${outcome}`);
    try {
      await inTransaction(s.transactional(), s.topic, [['k', 'committed'], ['j', 'j1']], 'commit');
      const open = await s.transactional().beginTransaction();
      await open.send({ messages: [{ topic: s.topic, partition: 0, key: 'k', value: 'in-open-tx' }, { topic: s.topic, partition: 0, key: 'n', value: 'new' }] });
      const end = await s.highWatermark();

      // The LSO stands before the open transaction: PartitionFetcher's end and fetches stop there.
      const fetcher = new PartitionFetcher(s.connection, 'fetchrc-reader');
      try {
        const [lso] = await fetcher.endOffsets(s.topic);
        assert.ok(lso! < end, `LSO ${lso} below the high watermark ${end}`);
        const fetched = await fetcher.fetch(s.topic, 0, lso!);
        assert.deepEqual(fetched.records, [], 'nothing past the LSO is handed out');
        assert.equal(fetched.next, lso);
      } finally {
        await fetcher.close();
      }

      await assert.rejects(readCompactedTopic(s.connection, s.topic, end, 1500), /waited for an open transaction/);

      let decided = false;
      const reading = readCompactedTopic(s.connection, s.topic, end, 20_000).then((m) => ({ m, decided }));
      await new Promise((r) => setTimeout(r, 1000));
      decided = true;
      await (outcome === 'commit' ? open.commit() : open.abort());
      const { m, decided: afterDecision } = await reading;
      assert.equal(afterDecision, true, 'the read returned only after the transaction was decided');
      const expected = outcome === 'commit' ? [['j', 'j1'], ['k', 'in-open-tx'], ['n', 'new']] : [['j', 'j1'], ['k', 'committed']];
      assert.deepEqual([...m].sort(), expected);
    } finally {
      await s.cleanup();
    }
  });
}
