import { Admin, ListOffsetTimestamps } from '@platformatic/kafka';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { PlatformaticCompactedLog } from './compacted-topic.js';
import { PlatformaticGroupConsumer } from './group-consumer.js';
import type { CompactedLog, ConsumedBatch, GroupConsumer, KafkaClient, KafkaConnection, KafkaConsumerClient, ProducerSettings, RecordSink, TopicSettings } from './ports.js';
import { clientOptions } from './platformatic-topics.js';
import { PartitionFetcher } from './partition-fetch.js';
import { KafkaSink, platformaticSinkClients } from './sink.js';

/** KafkaClient on @platformatic/kafka: each port gets its own clients, closed with it. */
export class PlatformaticClient implements KafkaClient, KafkaConsumerClient {
  constructor(private readonly connection: KafkaConnection) {}

  sink(topicSettings: TopicSettings, metrics?: ConnectorMetrics, producer?: ProducerSettings): RecordSink {
    return new KafkaSink(platformaticSinkClients(this.connection, producer), topicSettings, metrics);
  }

  compactedLog(topic: string): CompactedLog {
    return new PlatformaticCompactedLog(this.connection, topic);
  }

  async clusterId(): Promise<string> {
    return this.withAdmin(async (admin) => (await admin.metadata({ topics: [] })).id);
  }

  async listTopics(): Promise<string[]> {
    return this.withAdmin((admin) => admin.listTopics());
  }

  groupConsumer(groupId: string, topics: string[], handle: (batch: ConsumedBatch) => Promise<void>, onError?: (err: Error) => void): GroupConsumer {
    return new PlatformaticGroupConsumer(this.connection, groupId, topics, handle, onError);
  }

  async endOffsets(topics: string[]): Promise<Map<string, bigint[]>> {
    if (topics.length === 0) return new Map();
    return this.withAdmin(async (admin) => {
      const meta = await admin.metadata({ topics });
      const listed = await admin.listOffsets({
        topics: topics.map((name) => ({ name, partitions: [...(meta.topics.get(name)?.partitions ?? []).keys()].map((partitionIndex) => ({ partitionIndex, timestamp: ListOffsetTimestamps.LATEST })) })),
      });
      return new Map(listed.map((t) => [t.name, byPartition(t.partitions.map((p) => [p.partitionIndex, p.offset]))]));
    });
  }

  async committedOffsets(groupId: string, topics: string[]): Promise<Map<string, bigint[]>> {
    if (topics.length === 0) return new Map();
    return this.withAdmin(async (admin) => {
      const ends = await this.endOffsets(topics);
      const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: topics.map((name) => ({ name, partitionIndexes: [...(ends.get(name) ?? []).keys()] })) }] });
      const committed = new Map<string, bigint[]>(topics.map((t) => [t, (ends.get(t) ?? []).map(() => -1n)]));
      for (const t of group?.topics ?? []) for (const p of t.partitions) committed.get(t.name)![p.partitionIndex] = p.committedOffset;
      return committed;
    });
  }

  async hasRecordsBetween(topic: string, partition: number, from: bigint, to: bigint): Promise<boolean> {
    const fetcher = new PartitionFetcher(this.connection, 'records-between');
    try {
      for (let next = from; next < to;) {
        const fetched = await fetcher.fetch(topic, partition, next);
        if (fetched.records.some((r) => r.offset < to)) return true;
        if (fetched.next === next) return true; // nothing decided yet (an open transaction): not caught up
        next = fetched.next;
      }
      return false;
    } finally {
      await fetcher.close();
    }
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Admin(clientOptions(this.connection, 'admin'));
    try {
      return await fn(admin);
    } finally {
      await admin.close().catch(() => {});
    }
  }
}

/** [partition, offset] pairs as an array indexed by partition. */
function byPartition(pairs: [number, bigint][]): bigint[] {
  const out: bigint[] = [];
  for (const [p, o] of pairs) out[p] = o;
  return out;
}
