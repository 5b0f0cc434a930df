/**
 * The GroupConsumer port (src/kafka/ports.ts) on the real broker: batches per partition in offset
 * order, the offset committed after a batch is handled, a failed batch not committed but delivered
 * again after the consumer rejoins, and a new member of the group starting at the committed offsets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { openKafka } from '../../src/kafka/client.js';
import { clientOptions, createTopicIfMissing } from '../../src/kafka/platformatic-topics.js';
import type { ConsumedBatch } from '../../src/kafka/ports.js';
import { withKafkaAdmin } from '../harness/kafka-admin.js';
import { testServices } from '../harness/services.js';

const until = async (what: string, ok: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('a group consumer: a failed batch is not committed and comes again; a new member resumes at the committed offsets', async () => {
  const services = await testServices();
  const connection = { clientId: 'pgcdc-test-group', brokers: services.kafkaBrokers };
  const kafka = openKafka(connection);
  const topic = `pgcdc-test-group-${process.pid}-${Date.now()}`;
  const groupId = `${topic}-g`;
  const producer = new Producer({ ...clientOptions(connection, 'producer'), idempotent: true, acks: -1, serializers: stringSerializers });
  const send = (...values: string[]) => producer.send({ messages: values.map((value, i) => ({ topic, partition: i % 2, key: value, value })) });
  try {
    await withKafkaAdmin(services.kafkaBrokers, (admin) => createTopicIfMissing(admin, topic, { partitions: 2, replicationFactor: 1, cleanupPolicy: 'delete' }));
    await send('a0', 'a1', 'b0', 'b1'); // partition 0: a0, b0; partition 1: a1, b1

    const handled: string[] = [];
    const errors: string[] = [];
    let failNext = true;
    const first = kafka.groupConsumer(groupId, [topic], async (b: ConsumedBatch) => {
      assert.deepEqual(b.records.map((r) => r.offset), b.records.map((_r, i) => b.records[0]!.offset + BigInt(i)), 'consecutive offsets');
      if (failNext) {
        failNext = false;
        throw new Error('target unavailable');
      }
      for (const r of b.records) handled.push(`${b.partition}:${r.value}`);
    }, (err) => errors.push(err.message));
    await until('all four records handled', () => handled.length >= 4);
    await first.close();
    assert.deepEqual(errors, ['target unavailable'], 'the failure was reported once');
    assert.deepEqual(handled.sort(), ['0:a0', '0:b0', '1:a1', '1:b1'], 'the failed batch came again, nothing twice after its success');
    assert.deepEqual(await kafka.committedOffsets(groupId, [topic]), new Map([[topic, [2n, 2n]]]));

    await send('c0', 'c1');
    const later: string[] = [];
    const second = kafka.groupConsumer(groupId, [topic], async (b) => void later.push(...b.records.map((r) => `${b.partition}:${r.value}`)));
    await until('the new records handled', () => later.length >= 2);
    await second.close();
    assert.deepEqual(later.sort(), ['0:c0', '1:c1'], 'a new member starts at the committed offsets');
    assert.deepEqual(await kafka.committedOffsets(groupId, [topic]), new Map([[topic, [3n, 3n]]]));
  } finally {
    await producer.close().catch(() => {});
    await withKafkaAdmin(services.kafkaBrokers, async (admin) => {
      await admin.deleteGroups({ groups: [groupId] }).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    });
  }
});
