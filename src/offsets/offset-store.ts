import { classifyKafkaError } from '../errors/classify-kafka.js';
import type { CompactedLog, KafkaClient } from '../kafka/ports.js';

/**
 * Where connector offsets are kept. Contract: when `write` resolves the offset is durable (for
 * Kafka: on all in-sync replicas, so it survives the loss of the worker's disk); `read` returns the
 * last offset written for the key; a null offset deletes it. Errors are classified PgcdcErrors.
 */
export interface OffsetStore {
  readonly topic: string;
  start(): Promise<void>;
  write(key: string, offset: Record<string, unknown> | null): Promise<void>;
  read(key: string): Promise<Record<string, unknown> | undefined>;
  readAll(): Promise<Map<string, Record<string, unknown>>>;
  stop(): Promise<void>;
}

/**
 * What writes one connector's offsets: the worker's OffsetStore, or under exactly-once the
 * connector's own Kafka transaction (transactional-offsets.ts). `pending`: records were sent that
 * only the next write makes durable, so a write is due even when the offset did not change.
 */
export interface OffsetWriter {
  write(key: string, offset: Record<string, unknown> | null): Promise<void>;
  readonly pending?: boolean;
}

/**
 * Connector offsets in a compacted Kafka topic, in Kafka Connect's layout: key
 * `["<connector>",{"server":"<topic.prefix>"}]`, value the offset as JSON (a null value deletes it).
 */
export class KafkaOffsetStore implements OffsetStore {
  private readonly log: CompactedLog;

  constructor(client: Pick<KafkaClient, 'compactedLog'>, readonly topic: string) {
    this.log = client.compactedLog(topic);
  }

  static key(connector: string, serverName: string): string {
    return JSON.stringify([connector, { server: serverName }]);
  }

  async start(): Promise<void> {
    try {
      await this.log.open();
    } catch (err) {
      throw classifyKafkaError(err, `opening offset topic "${this.topic}"`);
    }
  }

  async write(key: string, offset: Record<string, unknown> | null): Promise<void> {
    try {
      await this.log.write(key, offset === null ? null : JSON.stringify(offset));
    } catch (err) {
      throw classifyKafkaError(err, `storing offset in "${this.topic}"`);
    }
  }

  /** Reads the topic from the start to its current end and returns the latest value of every key. */
  async readAll(): Promise<Map<string, Record<string, unknown>>> {
    try {
      const raw = await this.log.readAll();
      return new Map([...raw].map(([k, v]) => [k, JSON.parse(v) as Record<string, unknown>]));
    } catch (err) {
      throw classifyKafkaError(err, `reading offsets from "${this.topic}"`);
    }
  }

  async read(key: string): Promise<Record<string, unknown> | undefined> {
    return (await this.readAll()).get(key);
  }

  async stop(): Promise<void> {
    await this.log.close();
  }
}
