import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { testServices } from '../harness/services.js';

test('Kafka: a produced message is consumed back from a new topic', async () => {
  const services = await testServices();
  const kafka = new Kafka({ clientId: 'pgcdc-smoke', brokers: services.kafkaBrokers, logLevel: logLevel.NOTHING });
  const topic = `pgcdc-smoke-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const payload = `smoke ${Math.random()}`;
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: payload }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        clearTimeout(timer);
        resolve(message.value!.toString());
      },
    });
  });
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  assert.equal(received, payload);
});
