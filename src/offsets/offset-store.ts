import type { Kafka, Producer } from 'kafkajs';
import { classifyKafkaError } from '../errors/classify-kafka.js';

/**
 * Connector offsets in a compacted Kafka topic, in Kafka Connect's layout: key
 * `["<connector>",{"server":"<topic.prefix>"}]`, value the offset as JSON (a null value deletes it).
 * Guarantee: when `write` resolves the offset is on all in-sync replicas, so it survives the loss of
 * the worker's disk; `read` returns the last offset written for the key.
 */
export class KafkaOffsetStore {
  private producer?: Producer;

  constructor(private readonly kafka: Kafka, readonly topic: string) {}

  static key(connector: string, serverName: string): string {
    return JSON.stringify([connector, { server: serverName }]);
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      if (!topics.includes(this.topic)) {
        await admin
          .createTopics({
            waitForLeaders: true,
            topics: [{ topic: this.topic, numPartitions: 1, replicationFactor: -1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
          })
          .catch(async (err) => {
            if (!(await admin.listTopics()).includes(this.topic)) throw err;
          });
      }
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await this.producer.connect();
    } catch (err) {
      throw classifyKafkaError(err, `opening offset topic "${this.topic}"`);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async write(key: string, offset: Record<string, unknown> | null): Promise<void> {
    try {
      await this.producer!.send({ topic: this.topic, acks: -1, messages: [{ key, value: offset === null ? null : JSON.stringify(offset) }] });
    } catch (err) {
      throw classifyKafkaError(err, `storing offset in "${this.topic}"`);
    }
  }

  /** Reads the topic from the start to its current end and returns the latest value of every key. */
  async readAll(): Promise<Map<string, Record<string, unknown>>> {
    const latest = new Map<string, Record<string, unknown>>();
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: { partition: number; offset: string }[];
    try {
      ends = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    const remaining = new Map(ends.filter((e) => e.offset !== '0').map((e) => [e.partition, BigInt(e.offset)]));
    if (remaining.size === 0) return latest;
    const consumer = this.kafka.consumer({ groupId: `pgcdc-offset-reader-${process.pid}-${Date.now()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading offsets from "${this.topic}" took more than 60 s`)), 60_000);
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const key = message.key?.toString();
              if (key !== undefined) {
                if (message.value === null) latest.delete(key);
                else latest.set(key, JSON.parse(message.value.toString()));
              }
              const end = remaining.get(partition);
              if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (remaining.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } catch (err) {
      throw classifyKafkaError(err, `reading offsets from "${this.topic}"`);
    } finally {
      await consumer.disconnect().catch(() => {});
    }
    return latest;
  }

  async read(key: string): Promise<Record<string, unknown> | undefined> {
    return (await this.readAll()).get(key);
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect().catch(() => {});
  }
}
