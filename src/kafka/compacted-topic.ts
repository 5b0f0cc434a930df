import { Admin, ListOffsetTimestamps, Producer, stringSerializers } from '@platformatic/kafka';
import { PartitionFetcher } from './partition-fetch.js';
import type { CompactedLog, KafkaConnection } from './ports.js';
import { clientOptions, createTopicIfMissing } from './platformatic-topics.js';

const READ_TIMEOUT_MS = 60_000;

/**
 * Reads partition 0 of a compacted topic from offset 0 up to `end` (the end offset taken before
 * reading, so the read terminates) and returns the latest value of every key; a null value
 * (tombstone) removes the key. Fetches by partition and offset: no consumer group is joined or
 * created.
 *
 * Reads READ_COMMITTED (the topic may hold aborted transactions of exactly-once writers): aborted
 * and control records advance the offset without counting. `end` is usually the high watermark;
 * while a transaction open below it holds the last stable offset back, the read waits (up to
 * `timeoutMs`) for it to be decided, so everything before `end` is decided when the map returns.
 */
export async function readCompactedTopic(connection: KafkaConnection, topic: string, end: bigint, timeoutMs = READ_TIMEOUT_MS): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  if (end <= 0n) return latest;
  const fetcher = new PartitionFetcher(connection, 'reader');
  try {
    const deadline = Date.now() + timeoutMs;
    let next = 0n;
    let lastStable = -1n;
    while (next < end) {
      if (Date.now() > deadline) {
        const open = lastStable >= 0n && lastStable <= next ? `; waited for an open transaction: the last stable offset stayed at ${lastStable}` : '';
        throw new Error(`reading "${topic}" took more than ${timeoutMs / 1000} s (at offset ${next} of ${end}${open})`);
      }
      const fetched = await fetcher.fetch(topic, 0, next);
      next = fetched.next;
      // An incremental fetch session leaves an unchanged partition out of the answer (-1): keep the last known.
      if (fetched.lastStableOffset >= 0n) lastStable = fetched.lastStableOffset;
      for (const r of fetched.records) {
        if (r.offset >= end || r.key === null) continue;
        const key = r.key.toString();
        if (r.value === null) latest.delete(key);
        else latest.set(key, r.value.toString());
      }
    }
  } finally {
    await fetcher.close();
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
