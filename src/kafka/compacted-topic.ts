import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { CompactedLog } from './ports.js';

/**
 * Reads a compacted topic from the beginning up to the end offsets given (taken before reading, so
 * the read terminates) and returns the latest value of every key; a null value (tombstone) removes
 * the key. Used by the offset and config stores, whose topics are small.
 */
export async function readCompactedTopic(
  kafka: Kafka,
  topic: string,
  ends: { partition: number; offset: string }[],
  timeoutMs = 60_000,
): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  const remaining = new Map(ends.filter((e) => e.offset !== '0').map((e) => [e.partition, BigInt(e.offset)]));
  if (remaining.size === 0) return latest;
  // kafkajs reads only through a consumer group: a throwaway one, deleted after the read so that
  // reads (one per offset lookup) leave no group behind on the cluster.
  const groupId = `pgcdc-reader-${topic}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading "${topic}" took more than ${timeoutMs / 1000} s`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString();
            if (key !== undefined) {
              if (message.value === null) latest.delete(key);
              else latest.set(key, message.value.toString());
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
  } finally {
    await consumer.disconnect().catch(() => {});
    await deleteGroup(kafka, groupId);
  }
  return latest;
}

/** Best effort: a group left behind is only clutter, never a reason to fail the read. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // the group may not exist (the read ended before the consumer joined) or the broker is gone
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Creates the single-partition compacted topic when missing; a concurrent creator is not an error. */
export async function ensureCompactedTopic(admin: Admin, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  await admin
    .createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: -1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    })
    .catch(async (err) => {
      if (!(await admin.listTopics()).includes(topic)) throw err;
    });
}

/**
 * CompactedLog on kafkajs (contract in ports.ts). Errors are kafkajs's, for the caller to classify
 * with its own context. kafkajs has no group-less consumer: readAll joins a throwaway group and
 * deletes it afterwards.
 */
export class KafkajsCompactedLog implements CompactedLog {
  private producer?: Producer;

  constructor(private readonly kafka: Kafka, readonly topic: string) {}

  async open(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await ensureCompactedTopic(admin, this.topic);
      // One partition: the partitioner never chooses; naming it silences kafkajs's v2 partitioner notice.
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      await this.producer.connect();
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async write(key: string, value: string | null): Promise<void> {
    if (!this.producer) throw new Error(`topic "${this.topic}" is not open`);
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key, value }] });
  }

  async readAll(): Promise<Map<string, string>> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return await readCompactedTopic(this.kafka, this.topic, await admin.fetchTopicOffsets(this.topic));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => {});
    this.producer = undefined;
  }
}
