import { Admin, Producer, stringSerializer, type MessageToProduce, type ProducerOptions } from '@platformatic/kafka';
import { classifyKafkaError, type ProduceRequestInfo } from '../errors/classify-kafka.js';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { KafkaConnection, LogRecord, ProducerSettings, RecordSink, SinkTransactions, TopicSettings } from './ports.js';
import { SinkTransaction, type TransactionalProducer } from './sink-transaction.js';
import { planRequests, recordBytes, type SinkRecord } from './sink-record.js';
import { changeEventPartitioner } from './partitioner.js';
import { clientOptions, createTopicIfMissing, sharedRetryDelay } from './platformatic-topics.js';

type Message = MessageToProduce<Buffer, Buffer, string, string>;

/** What the sink uses of a producer and an admin client (unit tests pass stand-ins). */
export interface SinkProducer {
  send(options: { messages: Message[] }): Promise<unknown>;
  close(): Promise<void>;
}
export interface SinkAdmin {
  listTopics(): Promise<string[]>;
  close(): Promise<void>;
}
export interface SinkClients {
  producer: SinkProducer;
  /** exactly-once: the producer's transaction, through which every send goes */
  transaction?: SinkTransaction;
  admin: SinkAdmin;
  createTopic: (topic: string, settings: TopicSettings) => Promise<void>;
}

/**
 * Kafka's default transaction.timeout.ms: the broker aborts a transaction left open longer (a
 * producer that died mid-transaction stops holding back read_committed consumers after this).
 * The library sends its request timeout as the transaction timeout, so the transactional producer
 * gets this as its timeout.
 */
export const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * The producer: idempotent, so acks=all (-1) and one request in flight per broker connection (the
 * library enforces both with idempotence), keys placed as Kafka Connect's Java producer places them.
 * Key and value are sent as the bytes given; header values are strings. With a transactionalId
 * (exactly-once) it is transactional.
 */
export function sinkProducerOptions(connection: KafkaConnection, producer?: ProducerSettings): ProducerOptions<Buffer, Buffer, string, string> {
  return {
    ...clientOptions(connection, 'producer'),
    ...(producer && producer.compression !== 'none' ? { compression: producer.compression } : {}),
    idempotent: true,
    acks: -1,
    maxInflights: 1,
    partitioner: changeEventPartitioner(),
    serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
    ...(producer?.transactionalId ? { transactionalId: producer.transactionalId, timeout: TRANSACTION_TIMEOUT_MS, retries: TRANSACTIONAL_RETRIES, retryDelay: transactionalRetryDelay } : {}),
  } as ProducerOptions<Buffer, Buffer, string, string>;
}

/**
 * The first send of a transaction right after a commit is answered CONCURRENT_TRANSACTIONS until
 * the coordinator has written the previous commit's markers (a few ms). The shared client backoff
 * (200 ms first) made every transaction take ~200 ms; like the Java producer (20 ms for this
 * answer), retry it quickly: 20, 40, 80, 160, 320 ms, about as long in all as the shared backoff
 * waited (200 + 400 ms). The extra retries also apply to other retriable errors, whose backoff stays
 * the shared one: a broker outage surfaces after ~5 s instead of ~0.6 s.
 */
const TRANSACTIONAL_RETRIES = 5;

export function transactionalRetryDelay(client: unknown, operation: string, attempt: number, retries: number, error: unknown): number {
  if (isConcurrentTransactions(error)) return 20 * 2 ** (attempt - 1);
  return sharedRetryDelay(client, operation, attempt, retries, error);
}

function isConcurrentTransactions(error: unknown): boolean {
  const e = error as { apiId?: string; errors?: unknown[] } | null;
  if (!e || typeof e !== 'object') return false;
  return e.apiId === 'CONCURRENT_TRANSACTIONS' || (Array.isArray(e.errors) && e.errors.some(isConcurrentTransactions));
}

export function platformaticSinkClients(connection: KafkaConnection, producer?: ProducerSettings): SinkClients {
  const admin = new Admin(clientOptions(connection, 'admin'));
  const p = new Producer(sinkProducerOptions(connection, producer));
  return {
    producer: p,
    ...(producer?.transactionalId ? { transaction: new SinkTransaction(p as unknown as TransactionalProducer) } : {}),
    admin,
    createTopic: (topic, settings) => createTopicIfMissing(admin, topic, settings),
  };
}

/**
 * RecordSink on @platformatic/kafka (see ports.ts for the contract). One batch is sent as
 * consecutive produce requests under Kafka's request limit (planRequests: the library does not
 * split an oversized send itself), each acknowledged before the next is sent: a rejected send may
 * have written the requests before the failing one, which a resend duplicates. Requests of
 * concurrent sends (snapshot workers) are queued one after another, so the idempotent producer's
 * sequence numbers reach each partition in order.
 */
export class KafkaSink implements RecordSink {
  private readonly knownTopics = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  readonly transactions?: SinkTransactions;

  /** `metrics`: counts acknowledged records by table/op and tracks what is in flight (absent in some tests). */
  constructor(private readonly clients: SinkClients, private readonly topicSettings: TopicSettings, private readonly metrics?: ConnectorMetrics) {
    const tx = clients.transaction;
    if (tx) {
      this.transactions = {
        fence: () => this.queued(() => tx.fence(), 'registering the transactional producer (fencing earlier instances)'),
        get pending() {
          return tx.pending;
        },
        commit: (offset: LogRecord) => this.queued(
          () => tx.commit({ topic: offset.topic, partition: 0, key: Buffer.from(offset.key), value: Buffer.from(offset.value) }),
          `committing the Kafka transaction with the offset in "${offset.topic}"`),
      };
    }
  }

  /** Runs `step` after every request queued before it, classifying its failure. */
  private async queued(step: () => Promise<unknown>, what: string): Promise<void> {
    const done = this.queue.then(step);
    this.queue = done.catch(() => {});
    try {
      await done;
    } catch (err) {
      throw classifyKafkaError(err, what);
    }
  }

  async connect(): Promise<void> {
    try {
      for (const t of await this.clients.admin.listTopics()) this.knownTopics.add(t);
    } catch (err) {
      throw classifyKafkaError(err, 'connecting to Kafka');
    }
  }

  /** Creates the topic when missing, with the connector's topic.creation.default.* settings. */
  async ensureTopic(topic: string, settings: Partial<TopicSettings> = {}): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    try {
      await this.clients.createTopic(topic, { ...this.topicSettings, ...settings });
    } catch (err) {
      throw classifyKafkaError(err, `creating topic "${topic}"`);
    }
    this.knownTopics.add(topic);
  }

  async send(records: SinkRecord[]): Promise<void> {
    const m = this.metrics;
    const { ends, bytes } = planRequests(records);
    // Snapshot workers share this sink and send concurrently: the gauges move by differences.
    let pendingRecords = records.length;
    let pendingBytes = 0;
    for (const b of bytes) pendingBytes += b;
    if (m) (m.inflightRecords += pendingRecords), (m.inflightBytes += pendingBytes);
    try {
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i]!;
        await this.sendRequest(records, start, end);
        if (m) {
          m.countAcked(records, start, end);
          m.inflightRecords -= end - start;
          m.inflightBytes -= bytes[i]!;
        }
        pendingRecords -= end - start;
        pendingBytes -= bytes[i]!;
        start = end;
      }
    } finally {
      if (m) (m.inflightRecords -= pendingRecords), (m.inflightBytes -= pendingBytes);
    }
  }

  /** Produces records[start, end) as one send, after any request queued before it. */
  private async sendRequest(records: SinkRecord[], start: number, end: number): Promise<void> {
    const messages: Message[] = new Array(end - start);
    for (let i = start; i < end; i++) {
      const r = records[i]!;
      // A null value (tombstone) stays null: the send validator requires the property.
      messages[i - start] = { topic: r.topic, key: r.key ?? undefined, value: r.value as Buffer, headers: r.headers, ...(r.partition !== undefined ? { partition: r.partition } : {}) };
    }
    const tx = this.clients.transaction;
    const sent = this.queue.then(() => (tx ? tx.send(messages) : this.clients.producer.send({ messages })));
    this.queue = sent.catch(() => {});
    try {
      await sent;
    } catch (err) {
      const part = end - start === records.length ? '' : end - start === 1 ? ` (record ${start + 1} of ${records.length})` : ` (records ${start + 1}-${end} of ${records.length})`;
      throw classifyKafkaError(err, `producing ${end - start} record${end - start === 1 ? '' : 's'}${part}`, describeRequest(records, start, end));
    }
  }

  async disconnect(): Promise<void> {
    // A send still queued or in flight rejects; its caller resends (or is stopping anyway).
    await this.clients.producer.close().catch(() => {});
    await this.clients.admin.close().catch(() => {});
  }
}

function describeRequest(records: SinkRecord[], start: number, end: number): ProduceRequestInfo {
  let bytes = 0;
  const topics = new Set<string>();
  for (let i = start; i < end; i++) {
    bytes += recordBytes(records[i]!);
    topics.add(records[i]!.topic);
  }
  if (end - start !== 1) return { topics: [...topics], records: end - start, bytes };
  const r = records[start]!;
  return { topics: [...topics], records: 1, bytes, keyBytes: r.key?.length ?? 0, valueBytes: r.value?.length ?? 0 };
}
