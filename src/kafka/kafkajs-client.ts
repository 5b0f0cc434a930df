import { Kafka, logLevel, type logCreator } from 'kafkajs';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { KafkajsCompactedLog } from './compacted-topic.js';
import type { CompactedLog, KafkaClient, RecordSink, TopicSettings } from './ports.js';
import { KafkaSink } from './sink.js';
import { installRecordBatchEncoder } from './kafkajs-produce-patch.js';

/** KafkaClient on kafkajs. */
export class KafkajsClient implements KafkaClient {
  readonly kafka: Kafka;

  constructor(brokers: string[], clientId: string) {
    // Before any producer (the config and offset stores' too) loads kafkajs's encoding modules.
    installRecordBatchEncoder((message) => process.emitWarning(message, 'PgcdcKafkaEncoding'));
    this.kafka = new Kafka({ clientId, brokers, logLevel: logLevel.WARN, logCreator: quietLogCreator });
  }

  sink(topicSettings: TopicSettings, metrics?: ConnectorMetrics): RecordSink {
    return new KafkaSink(this.kafka, topicSettings, metrics);
  }

  compactedLog(topic: string): CompactedLog {
    return new KafkajsCompactedLog(this.kafka, topic);
  }

  async clusterId(): Promise<string> {
    return this.withAdmin(async (admin) => (await admin.describeCluster()).clusterId);
  }

  async listTopics(): Promise<string[]> {
    return this.withAdmin((admin) => admin.listTopics());
  }

  private async withAdmin<T>(fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return await fn(admin);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

/**
 * kafkajs's own console logger, less its notice that limited retries "may invalidate EoS": pgcdc
 * limits them on purpose (sink.ts: its own backoff resends, duplicates allowed by the sink's
 * contract), so on every normal start the notice would only alarm.
 */
const EXPECTED_NOTICES = [/Limiting retries for the idempotent producer/];
const quietLogCreator: logCreator = () => ({ namespace, label, log }) => {
  if (EXPECTED_NOTICES.some((re) => re.test(log.message))) return;
  const { message, ...extra } = log;
  console.error(JSON.stringify({ level: label, logger: 'kafkajs', namespace, message, ...extra }));
};
