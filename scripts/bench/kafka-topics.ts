/**
 * The benchmark's view of Kafka: topics created up front (the same settings for every system),
 * records counted by end offsets (= acknowledged by the broker), record sizes, and cleanup of
 * topics and registry subjects.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { round } from './common.js';
import type { BenchOptions } from './options.js';

export class BenchKafka {
  readonly kafka: Kafka;
  readonly admin: Admin;
  private readonly created = new Set<string>();
  private readonly groups: string[] = [];

  constructor(private readonly o: BenchOptions) {
    this.kafka = new Kafka({ clientId: 'pgcdc-bench', brokers: o.brokers, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });
    this.admin = this.kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  /**
   * One partition, like a topic the connectors would create; LogAppendTime makes a record's
   * timestamp the moment the broker appended it (arrival in Kafka), which the latency workload reads.
   */
  async createTopic(topic: string, logAppendTime = false): Promise<void> {
    await this.admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: logAppendTime ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : [] }],
    });
    this.created.add(topic);
  }

  /** Records in the topic (sum of high watermarks); 0 while it does not exist. */
  async count(topic: string): Promise<number> {
    try {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return offsets.reduce((n, p) => n + Number(p.high), 0);
    } catch {
      return 0;
    }
  }

  groupId(what: string): string {
    const id = `pgcdc-bench-${what}-${process.pid}-${Date.now()}`;
    this.groups.push(id);
    return id;
  }

  /** Reads a topic from its start until `limit` records (or `timeoutMs` of silence); calls `each` per record. */
  async consume(topic: string, limit: number, each: (key: Buffer | null, value: Buffer | null, timestamp: number) => void, timeoutMs = 20_000): Promise<number> {
    const consumer = this.kafka.consumer({ groupId: this.groupId('read'), maxBytes: 16 << 20, maxBytesPerPartition: 16 << 20 });
    let n = 0;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((done) => {
        let timer = setTimeout(done, timeoutMs);
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            clearTimeout(timer);
            for (const m of batch.messages) {
              if (n >= limit) break;
              n++;
              each(m.key, m.value, Number(m.timestamp));
            }
            timer = setTimeout(done, n >= limit ? 0 : timeoutMs);
          },
        });
      });
    } finally {
      await consumer.disconnect().catch(() => {});
    }
    return n;
  }

  /** Average key and value bytes of the first records of a topic. */
  async recordBytes(topic: string, max = 2000): Promise<{ key: number; value: number; sampled: number } | null> {
    let key = 0;
    let value = 0;
    const n = await this.consume(topic, max, (k, v) => {
      key += k?.length ?? 0;
      value += v?.length ?? 0;
    }, 10_000).catch(() => 0);
    return n > 0 ? { key: round(key / n), value: round(value / n), sampled: n } : null;
  }

  /** Deletes the topics this run created (or others named) and their registry subjects. */
  async cleanup(extraTopics: string[] = []): Promise<void> {
    const topics = [...new Set([...this.created, ...extraTopics])];
    if (topics.length > 0) await this.admin.deleteTopics({ topics }).catch(() => {});
    if (this.groups.length > 0) await this.admin.deleteGroups(this.groups).catch(() => {});
    for (const t of topics) await deleteSubjects(this.o.registryUrl, t);
    this.created.clear();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect().catch(() => {});
  }
}

async function deleteSubjects(registryUrl: string, topic: string): Promise<void> {
  for (const subject of [`${topic}-key`, `${topic}-value`]) {
    for (const permanent of [false, true]) {
      await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}${permanent ? '?permanent=true' : ''}`, { method: 'DELETE' }).catch(() => {});
    }
  }
}
