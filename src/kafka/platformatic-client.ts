import { Admin } from '@platformatic/kafka';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import { PlatformaticCompactedLog } from './compacted-topic.js';
import type { CompactedLog, KafkaClient, KafkaConnection, ProducerSettings, RecordSink, TopicSettings } from './ports.js';
import { clientOptions } from './platformatic-topics.js';
import { KafkaSink, platformaticSinkClients } from './sink.js';

/** KafkaClient on @platformatic/kafka: each port gets its own clients, closed with it. */
export class PlatformaticClient implements KafkaClient {
  constructor(private readonly connection: KafkaConnection) {}

  sink(topicSettings: TopicSettings, metrics?: ConnectorMetrics, producer?: ProducerSettings): RecordSink {
    return new KafkaSink(platformaticSinkClients(this.connection, producer), topicSettings, metrics);
  }

  compactedLog(topic: string): CompactedLog {
    return new PlatformaticCompactedLog(this.connection, topic);
  }

  async clusterId(): Promise<string> {
    return this.withAdmin(async (admin) => (await admin.metadata({ topics: [] })).id);
  }

  async listTopics(): Promise<string[]> {
    return this.withAdmin((admin) => admin.listTopics());
  }

  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Admin(clientOptions(this.connection, 'admin'));
    try {
      return await fn(admin);
    } finally {
      await admin.close().catch(() => {});
    }
  }
}
