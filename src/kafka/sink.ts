import { CompressionTypes, type Kafka, type Producer, type Admin, type Message, type TopicMessages } from 'kafkajs';
import { classifyKafkaError, type ProduceRequestInfo } from '../errors/classify-kafka.js';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { RecordSink, TopicSettings } from './ports.js';
import { planRequests, recordBytes, type SinkRecord } from './sink-record.js';
import { changeEventPartitioner } from './partitioner.js';

/**
 * kafkajs's own retries are kept short: a failed send comes back within seconds, and pgcdc's
 * jittered backoff (errors.retry.delay.*) decides when to resend, the status shows the retry and
 * recovery after an outage does not wait out a long internal retry cycle. At least one internal
 * retry stays, which the idempotent producer requires.
 */
const PRODUCER_RETRY = { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 };

/**
 * RecordSink on kafkajs (see ports.ts for the contract). One batch is sent as consecutive produce
 * requests (see MAX_REQUEST_RECORDS; kafkajs groups a request's messages by partition in time
 * quadratic in their number), each acknowledged before the next is sent: a rejected send may have
 * written the requests before the failing one, which a resend duplicates.
 */
export class KafkaSink implements RecordSink {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly knownTopics = new Set<string>();

  /** `metrics`: counts acknowledged records by table/op and tracks what is in flight (absent in some tests). */
  constructor(kafka: Kafka, private readonly topicSettings: TopicSettings, private readonly metrics?: ConnectorMetrics) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: PRODUCER_RETRY, createPartitioner: changeEventPartitioner });
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

  /** Produces records[start, end) as one request (sendBatch call). */
  private async sendRequest(records: SinkRecord[], start: number, end: number): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (let i = start; i < end; i++) {
      const r = records[i]!;
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({ key: r.key, value: r.value, headers: r.headers });
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
    } catch (err) {
      const part = end - start === records.length ? '' : end - start === 1 ? ` (record ${start + 1} of ${records.length})` : ` (records ${start + 1}-${end} of ${records.length})`;
      throw classifyKafkaError(err, `producing ${end - start} record${end - start === 1 ? '' : 's'}${part}`, describeRequest(records, start, end, [...byTopic.keys()]));
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }
}

function describeRequest(records: SinkRecord[], start: number, end: number, topics: string[]): ProduceRequestInfo {
  let bytes = 0;
  for (let i = start; i < end; i++) bytes += recordBytes(records[i]!);
  if (end - start !== 1) return { topics, records: end - start, bytes };
  const r = records[start]!;
  return { topics, records: 1, bytes, keyBytes: r.key?.length ?? 0, valueBytes: r.value?.length ?? 0 };
}
