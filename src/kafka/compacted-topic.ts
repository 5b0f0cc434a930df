import { Admin, Consumer, ListOffsetTimestamps, Producer, stringSerializers } from '@platformatic/kafka';
import type { CompactedLog, KafkaConnection } from './ports.js';
import { clientOptions, createTopicIfMissing } from './platformatic-topics.js';

const IS_CONTROL_BATCH = 0x20;
const READ_TIMEOUT_MS = 60_000;

/**
 * Reads partition 0 of a compacted topic from offset 0 up to `end` (the end offset taken before
 * reading, so the read terminates) and returns the latest value of every key; a null value
 * (tombstone) removes the key. Fetches by partition and offset: no consumer group is joined or
 * created (the Consumer object needs a group id, which only its group calls would use).
 */
export async function readCompactedTopic(connection: KafkaConnection, topic: string, end: bigint, timeoutMs = READ_TIMEOUT_MS): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  if (end <= 0n) return latest;
  const consumer = new Consumer({ ...clientOptions(connection, 'reader'), groupId: `pgcdc-unused-${topic}`, maxWaitTime: 200 });
  try {
    const deadline = Date.now() + timeoutMs;
    let next = 0n;
    while (next < end) {
      if (Date.now() > deadline) throw new Error(`reading "${topic}" took more than ${timeoutMs / 1000} s (at offset ${next} of ${end})`);
      const meta = await consumer.metadata({ topics: [topic] });
      const t = meta.topics.get(topic);
      if (!t) throw new Error(`topic "${topic}" is missing`);
      const response = await consumer.fetch({
        node: t.partitions[0]!.leader,
        maxWaitTime: 200,
        topics: [{ topicId: t.id, partitions: [{ partition: 0, fetchOffset: next, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
      });
      for (const part of response.responses.flatMap((r) => r.partitions)) {
        if (part.partitionIndex !== 0) continue;
        for (const batch of part.records ?? []) {
          const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
          if (batchEnd > next) next = batchEnd;
          if (batch.attributes & IS_CONTROL_BATCH) continue;
          for (const r of batch.records) {
            if (batch.firstOffset + BigInt(r.offsetDelta) >= end || r.key === null) continue;
            const key = r.key.toString();
            if (r.value === null) latest.delete(key);
            else latest.set(key, r.value.toString());
          }
        }
      }
    }
  } finally {
    await consumer.close().catch(() => {});
  }
  return latest;
}

/**
 * CompactedLog on @platformatic/kafka (contract in ports.ts). Errors are the library's, for the
 * caller to classify with its own context.
 */
export class PlatformaticCompactedLog implements CompactedLog {
  private producer?: Producer<string, string, string, string>;
  private adminClient?: Admin;

  constructor(private readonly connection: KafkaConnection, readonly topic: string) {}

  /** Made on first use and dropped by close, so the log can be opened again after closing. */
  private get admin(): Admin {
    return (this.adminClient ??= new Admin(clientOptions(this.connection, 'admin')));
  }

  async open(): Promise<void> {
    await createTopicIfMissing(this.admin, this.topic, { partitions: 1, replicationFactor: -1, cleanupPolicy: 'compact' });
    this.producer = new Producer({ ...clientOptions(this.connection, 'log-producer'), idempotent: true, acks: -1, maxInflights: 1, serializers: stringSerializers });
  }

  async write(key: string, value: string | null): Promise<void> {
    if (!this.producer) throw new Error(`topic "${this.topic}" is not open`);
    await this.producer.send({ messages: [{ topic: this.topic, partition: 0, key, value: value as string }] });
  }

  async readAll(): Promise<Map<string, string>> {
    const [listed] = await this.admin.listOffsets({ topics: [{ name: this.topic, partitions: [{ partitionIndex: 0, timestamp: ListOffsetTimestamps.LATEST }] }] });
    const end = listed?.partitions.find((p) => p.partitionIndex === 0)?.offset;
    if (end === undefined) throw new Error(`no end offset for "${this.topic}"`);
    return readCompactedTopic(this.connection, this.topic, end);
  }

  async close(): Promise<void> {
    await this.producer?.close().catch(() => {});
    this.producer = undefined;
    await this.adminClient?.close().catch(() => {});
    this.adminClient = undefined;
  }
}
