/**
 * The benchmark's view of Kafka: topics created up front (the same settings for every system),
 * records counted by end offsets (= acknowledged by the broker), or on a topic written in
 * transactions by reading its committed records (CommittedCount), record sizes, and cleanup of
 * topics and registry subjects.
 */
import { Admin } from '@platformatic/kafka';
import { PartitionFetcher } from '../../src/kafka/partition-fetch.js';
import { clientOptions, createTopicIfMissing } from '../../src/kafka/platformatic-topics.js';
import { round } from './common.js';
import { CommittedCount } from './committed-count.js';
import type { BenchOptions } from './options.js';

export class BenchKafka {
  readonly admin: Admin;
  private readonly created = new Set<string>();
  /** Topics written in Kafka transactions, with their counters of committed records. */
  private readonly committed = new Map<string, CommittedCount>();
  readonly connection: { clientId: string; brokers: string[] };

  constructor(private readonly o: BenchOptions) {
    this.connection = { clientId: 'pgcdc-bench', brokers: o.brokers };
    this.admin = new Admin(clientOptions(this.connection, 'admin'));
  }

  /** Fails early when the broker does not answer. */
  async connect(): Promise<void> {
    await this.admin.metadata({ topics: [] });
  }

  /**
   * One partition, like a topic the connectors would create; LogAppendTime makes a record's
   * timestamp the moment the broker appended it (arrival in Kafka), which the latency workload reads.
   * `transactional`: the writer uses Kafka transactions, so count() reads the committed records.
   */
  async createTopic(topic: string, logAppendTime = false, transactional = false): Promise<void> {
    await this.admin.deleteTopics({ topics: [topic] }).catch(() => {});
    // A deleted topic disappears asynchronously: wait until it is gone before creating it again.
    for (let i = 0; i < 50 && (await this.admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
    if (logAppendTime) {
      await this.admin.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] });
    }
    await createTopicIfMissing(this.admin, topic, { partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete' });
    this.created.add(topic);
    await this.committed.get(topic)?.close();
    this.committed.delete(topic);
    if (transactional) this.committed.set(topic, new CommittedCount(this.connection, topic));
  }

  /**
   * Records in the topic: the sum of end offsets, or on a transactional topic the committed records
   * read so far (its end offsets count the commit markers too); 0 while it does not exist.
   */
  async count(topic: string): Promise<number> {
    const committed = this.committed.get(topic);
    if (committed) return committed.count();
    const fetcher = new PartitionFetcher(this.connection, 'bench-count');
    try {
      return (await fetcher.endOffsets(topic)).reduce((n, end) => n + Number(end), 0);
    } catch {
      return 0;
    } finally {
      await fetcher.close();
    }
  }

  /**
   * Offsets written to a transactional topic, committed or not (null on other topics, where count()
   * already is what was written): where a drain's first → last window starts.
   */
  async written(topic: string): Promise<number | null> {
    return (await this.committed.get(topic)?.written()) ?? null;
  }

  /**
   * Reads a topic from its start until `limit` records (or `timeoutMs` of silence); calls `each` per
   * record. Reads by partition and offset, so no consumer group is created.
   */
  async consume(topic: string, limit: number, each: (key: Buffer | null, value: Buffer | null, timestamp: number) => void, timeoutMs = 20_000): Promise<number> {
    const fetcher = new PartitionFetcher(this.connection, 'bench-reader');
    let n = 0;
    try {
      const next = (await fetcher.endOffsets(topic)).map(() => 0n);
      let lastRecordAt = Date.now();
      while (n < limit && Date.now() - lastRecordAt < timeoutMs) {
        for (let p = 0; p < next.length && n < limit; p++) {
          const fetched = await fetcher.fetch(topic, p, next[p]!, 500);
          next[p] = fetched.next;
          if (fetched.records.length > 0) lastRecordAt = Date.now();
          for (const r of fetched.records) {
            if (n >= limit) break;
            n++;
            each(r.key, r.value, Number(r.timestamp));
          }
        }
      }
    } finally {
      await fetcher.close();
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
    for (const t of topics) await deleteSubjects(this.o.registryUrl, t);
    for (const c of this.committed.values()) await c.close();
    this.committed.clear();
    this.created.clear();
  }

  disconnect(): Promise<void> {
    return this.admin.close().catch(() => {});
  }
}

async function deleteSubjects(registryUrl: string, topic: string): Promise<void> {
  for (const subject of [`${topic}-key`, `${topic}-value`]) {
    for (const permanent of [false, true]) {
      await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}${permanent ? '?permanent=true' : ''}`, { method: 'DELETE' }).catch(() => {});
    }
  }
}
