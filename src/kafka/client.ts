import type { KafkaClient } from './ports.js';
import { KafkajsClient } from './kafkajs-client.js';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

/** The one place that picks the Kafka client library behind the ports. */
export function openKafka(connection: KafkaConnection): KafkaClient {
  return new KafkajsClient(connection.brokers, connection.clientId);
}
