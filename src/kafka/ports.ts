/**
 * What pgcdc needs from Kafka, as interfaces: the connector, the stores and the worker depend on
 * these only, so the client library behind them is chosen in one place (src/kafka/client.ts) and
 * unit tests use the in-memory implementations (memory-*.ts). Types only: loads nothing.
 */
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { KafkaSecurity } from './security.js';
import type { SinkRecord } from './sink-record.js';

/** Where the cluster is and how pgcdc names itself to it. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TLS and SASL options (security.protocol, ssl.*, sasl.*), for every client pgcdc creates. */
  security?: KafkaSecurity;
}

/** compression.type values the client library implements (zstd through node:zlib). */
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Per-connector producer settings (producer.override.*). */
export interface ProducerSettings {
  compression: Compression;
  /** exactly.once.support=required: the producer is transactional with this transactional.id */
  transactionalId?: string;
}

/** A record of a compacted log, written inside a transaction (the connector's offset). */
export interface LogRecord {
  topic: string;
  key: string;
  value: string;
}

/**
 * A transactional sink's transaction (exactly-once). Contract:
 * - records `send` delivers join the open transaction (begun by the first send after a commit):
 *   acknowledged by the broker, but invisible to read_committed consumers until committed;
 * - `commit` runs after every send started before it, writes `offset` in the transaction and
 *   commits: the records and the offset become visible together, or (crash, failure) never;
 * - `fence` registers the transactional.id first: an earlier instance is fenced and its open
 *   transaction aborted, so read its offset only after fencing;
 * - after any failure of a send or a commit the transaction is unusable and every later call
 *   rejects: the caller must not resend (that would commit duplicates) but restart from the last
 *   committed offset with a new sink.
 */
export interface SinkTransactions {
  fence(): Promise<void>;
  /** true while records were sent that no commit has made visible yet */
  readonly pending: boolean;
  commit(offset: LogRecord): Promise<void>;
}

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  cleanupPolicy: 'delete' | 'compact';
}

/**
 * Where change events go. Contract:
 * - `send` resolves only when the broker acknowledged every record passed to it with acks=all (on
 *   all in-sync replicas), written by an idempotent producer, in the order given per partition
 *   (keyed records placed as Kafka Connect's Java producer places them: murmur2 of the key);
 * - when it rejects, none of the records may be assumed written: the caller resends (duplicates
 *   are possible, loss is not). The error is a PgcdcError classified by classify-kafka.ts;
 *   a record over the broker's limit is a permanent error naming its topic and size;
 * - ack accounting: as each produce request is acknowledged, its records are counted in the
 *   metrics given at creation (countAcked), and the in-flight gauges move accordingly;
 * - `send` may be called concurrently (snapshot workers share a sink); order holds within a call;
 * - a transactional sink (`transactions` present) holds what it sends in a Kafka transaction until
 *   a commit, and a rejected send must not be resent (see SinkTransactions).
 */
export interface RecordSink {
  connect(): Promise<void>;
  /** Creates the topic when missing (default: the connector's topic.creation.default.* settings). */
  ensureTopic(topic: string, settings?: Partial<TopicSettings>): Promise<void>;
  send(records: SinkRecord[]): Promise<void>;
  /** present when the sink is transactional (exactly.once.support=required) */
  readonly transactions?: SinkTransactions;
  disconnect(): Promise<void>;
}

/**
 * A single-partition compacted topic used as a durable key-value log (offsets, connector configs).
 * Contract: `open` creates the topic when missing (cleanup.policy=compact; a concurrent creator is
 * not an error); `write` resolves once the record is on all in-sync replicas (acks=all, idempotent),
 * null deletes the key (tombstone); `readAll` reads the topic from its start to the end offset taken
 * when called and returns the latest value of every key — without joining or creating a consumer
 * group. Errors are PgcdcErrors naming the topic.
 */
export interface CompactedLog {
  readonly topic: string;
  open(): Promise<void>;
  write(key: string, value: string | null): Promise<void>;
  readAll(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** A connection to a Kafka cluster: the factory of the ports above plus the admin calls the worker uses. */
export interface KafkaClient {
  sink(topicSettings: TopicSettings, metrics?: ConnectorMetrics, producer?: ProducerSettings): RecordSink;
  compactedLog(topic: string): CompactedLog;
  clusterId(): Promise<string>;
  listTopics(): Promise<string[]>;
}

/** A record as a group consumer hands it over (bytes untouched; null key or value stays null). */
export interface ConsumedRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/** Consecutive records of one topic partition, in offset order, as fetched together. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

/**
 * A member of a consumer group reading topics (the warehouse loader). Contract:
 * - a partition without a committed offset is read from its earliest offset;
 * - `handle` gets one batch at a time, never concurrently, each partition's records in offset order;
 * - once `handle` resolves, the offset after the batch's last record is committed for the group,
 *   and the next batch is handed over only after the broker acknowledged that commit;
 * - when `handle` rejects or the consumer fails (broker unreachable, rebalance), that batch is not
 *   committed: `onError` is told, and after a pause (growing, capped) the consumer joins the group
 *   again and reads from the committed offsets, so the batch comes again (at least once);
 * - `close` waits for the batch being handled and its commit, then leaves the group.
 */
export interface GroupConsumer {
  readonly groupId: string;
  close(): Promise<void>;
}

/** What a consumer of pgcdc's topics uses (the warehouse loader): topics, offsets, a group consumer. */
export interface KafkaConsumerClient {
  listTopics(): Promise<string[]>;
  /** Each partition's end offset (high watermark), by topic, then partition index. */
  endOffsets(topics: string[]): Promise<Map<string, bigint[]>>;
  /** The group's committed offset of each partition, by topic, then partition index (-1: none). */
  committedOffsets(groupId: string, topics: string[]): Promise<Map<string, bigint[]>>;
  groupConsumer(groupId: string, topics: string[], handle: (batch: ConsumedBatch) => Promise<void>, onError?: (err: Error) => void): GroupConsumer;
}
