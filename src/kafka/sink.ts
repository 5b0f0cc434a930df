import { CompressionTypes, type Kafka, type Producer, type Admin, type Message, type TopicMessages } from 'kafkajs';
import { classifyKafkaError } from '../errors/classify-kafka.js';

export interface SinkRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  cleanupPolicy: 'delete' | 'compact';
}

/**
 * The Kafka side of delivery. Guarantee: when `send` resolves, every record passed to it is written
 * to all in-sync replicas (acks=all) by an idempotent producer, in the order given per partition;
 * when it rejects, none of them may be assumed written (the caller resends; duplicates are possible,
 * loss is not). One batch is sent at a time.
 */
export class KafkaSink {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly knownTopics = new Set<string>();

  constructor(kafka: Kafka, private readonly topicSettings: TopicSettings) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 5 } });
    this.admin = kafka.admin();
  }

  async connect(): Promise<void> {
    try {
      await this.admin.connect();
      await this.producer.connect();
      for (const t of await this.admin.listTopics()) this.knownTopics.add(t);
    } catch (err) {
      throw classifyKafkaError(err, 'connecting to Kafka');
    }
  }

  /** Creates the topic when missing, with the connector's topic.creation.default.* settings. */
  async ensureTopic(topic: string, settings: Partial<TopicSettings> = {}): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    const s = { ...this.topicSettings, ...settings };
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: s.partitions, replicationFactor: s.replicationFactor, configEntries: [{ name: 'cleanup.policy', value: s.cleanupPolicy }] }],
      });
    } catch (err) {
      // Another connector or worker may have created it meanwhile; only a missing topic is a failure.
      const topics = await this.admin.listTopics().catch((): string[] => []);
      if (!topics.includes(topic)) throw classifyKafkaError(err, `creating topic "${topic}"`);
    }
    this.knownTopics.add(topic);
  }

  async send(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({ key: r.key, value: r.value, headers: r.headers });
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    } catch (err) {
      throw classifyKafkaError(err, `producing ${records.length} records`);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }
}
