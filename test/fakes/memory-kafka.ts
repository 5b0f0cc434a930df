/**
 * In-memory implementations of the Kafka ports (src/kafka/ports.ts) for unit tests of pure logic:
 * a compacted log keeps every record in order (as the topic would before compaction) and a sink
 * appends what it is sent. `fail` makes the next calls reject, as a broker outage would.
 */
import type { ConnectorMetrics } from '../../src/metrics/connector-metrics.js';
import type { CompactedLog, KafkaClient, RecordSink, TopicSettings } from '../../src/kafka/ports.js';
import type { SinkRecord } from '../../src/kafka/sink-record.js';

export class MemoryCompactedLog implements CompactedLog {
  readonly records: { key: string; value: string | null }[] = [];
  opened = false;
  fail?: Error;

  constructor(readonly topic: string) {}

  async open(): Promise<void> {
    this.check();
    this.opened = true;
  }

  async write(key: string, value: string | null): Promise<void> {
    this.check();
    if (!this.opened) throw new Error(`topic "${this.topic}" is not open`);
    this.records.push({ key, value });
  }

  async readAll(): Promise<Map<string, string>> {
    this.check();
    const latest = new Map<string, string>();
    for (const { key, value } of this.records) value === null ? latest.delete(key) : latest.set(key, value);
    return latest;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  private check(): void {
    if (this.fail) throw this.fail;
  }
}

export class MemorySink implements RecordSink {
  readonly sent: SinkRecord[] = [];
  readonly topics = new Map<string, TopicSettings>();

  constructor(private readonly topicSettings: TopicSettings, private readonly metrics?: ConnectorMetrics) {}

  async connect(): Promise<void> {}

  async ensureTopic(topic: string, settings: Partial<TopicSettings> = {}): Promise<void> {
    if (!this.topics.has(topic)) this.topics.set(topic, { ...this.topicSettings, ...settings });
  }

  async send(records: SinkRecord[]): Promise<void> {
    this.sent.push(...records);
    this.metrics?.countAcked(records, 0, records.length);
  }

  async disconnect(): Promise<void> {}
}

export class MemoryKafkaClient implements KafkaClient {
  readonly logs = new Map<string, MemoryCompactedLog>();
  readonly sinks: MemorySink[] = [];

  sink(topicSettings: TopicSettings, metrics?: ConnectorMetrics): RecordSink {
    const s = new MemorySink(topicSettings, metrics);
    this.sinks.push(s);
    return s;
  }

  compactedLog(topic: string): MemoryCompactedLog {
    let log = this.logs.get(topic);
    if (!log) this.logs.set(topic, (log = new MemoryCompactedLog(topic)));
    return log;
  }

  async clusterId(): Promise<string> {
    return 'memory-cluster';
  }

  async listTopics(): Promise<string[]> {
    return [...this.logs.keys(), ...this.sinks.flatMap((s) => [...s.topics.keys()])];
  }
}

/**
 * A sink whose acknowledgements the test releases: every `send` waits until `ack()` (one batch) or
 * `ackAll()`; `autoAck` makes it acknowledge at once. An empty send (a batch carrying only an offset)
 * resolves at once, as the Kafka sink's does. What was sent stays in `batches`, in order.
 */
export class GatedSink implements RecordSink {
  readonly batches: SinkRecord[][] = [];
  /** records acknowledged, in order */
  readonly acked: SinkRecord[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(public autoAck = false) {}

  async connect(): Promise<void> {}
  async ensureTopic(): Promise<void> {}
  async disconnect(): Promise<void> {}

  async send(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const batch = [...records];
    this.batches.push(batch);
    if (!this.autoAck) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.acked.push(...batch);
  }

  /** sends waiting for an acknowledgement */
  get pending(): number {
    return this.waiting.length;
  }

  ack(): void {
    this.waiting.shift()?.();
  }

  ackAll(): void {
    this.autoAck = true;
    while (this.waiting.length) this.ack();
  }
}
