import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { openKafka } from '../../src/kafka/client.js';
import { clientOptions, createTopicIfMissing } from '../../src/kafka/platformatic-topics.js';
import type { ConsumedBatch } from '../../src/kafka/ports.js';
import { withKafkaAdmin } from '../harness/kafka-admin.js';
import { testServices } from '../harness/services.js';

test('Kafka: a produced message is consumed back from a new topic by a consumer group, which commits its offset', async () => {
  const services = await testServices();
  const connection = { clientId: 'pgcdc-smoke', brokers: services.kafkaBrokers };
  const kafka = openKafka(connection);
  const topic = `pgcdc-smoke-${process.pid}-${Date.now()}`;
  const groupId = `${topic}-reader`;
  try {
    await withKafkaAdmin(services.kafkaBrokers, (admin) => createTopicIfMissing(admin, topic, { partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete' }));
    const producer = new Producer({ ...clientOptions(connection, 'producer'), idempotent: true, acks: -1, serializers: stringSerializers });
    const payload = `smoke ${Math.random()}`;
    await producer.send({ messages: [{ topic, key: 'k', value: payload }] });
    await producer.close();

    const batches: ConsumedBatch[] = [];
    const consumer = kafka.groupConsumer(groupId, [topic], async (b) => void batches.push(b));
    const deadline = Date.now() + 30_000;
    while (batches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.close();
    assert.equal(batches.length, 1, 'one batch within 30 s');
    assert.equal(batches[0]!.records[0]!.key?.toString(), 'k');
    assert.equal(batches[0]!.records[0]!.value?.toString(), payload);
    assert.deepEqual(await kafka.committedOffsets(groupId, [topic]), new Map([[topic, [1n]]]), 'the offset after the record is committed');
  } finally {
    await withKafkaAdmin(services.kafkaBrokers, async (admin) => {
      await admin.deleteGroups({ groups: [groupId] }).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    });
  }
});
