import type { Kafka, Producer } from 'kafkajs';
import { classifyKafkaError } from '../errors/classify-kafka.js';
import { ensureCompactedTopic, readCompactedTopic } from '../kafka/compacted-topic.js';

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
      await ensureCompactedTopic(admin, this.topic);
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
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const raw = await readCompactedTopic(this.kafka, this.topic, await admin.fetchTopicOffsets(this.topic));
      return new Map([...raw].map(([k, v]) => [k, JSON.parse(v) as Record<string, unknown>]));
    } catch (err) {
      throw classifyKafkaError(err, `reading offsets from "${this.topic}"`);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async read(key: string): Promise<Record<string, unknown> | undefined> {
    return (await this.readAll()).get(key);
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect().catch(() => {});
  }
}
