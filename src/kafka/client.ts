import type { KafkaClient, KafkaConnection, KafkaConsumerClient } from './ports.js';
import { PlatformaticClient } from './platformatic-client.js';

export type { KafkaConnection } from './ports.js';

/** The one place that picks the Kafka client library behind the ports (README: Choosing a Kafka client). */
export function openKafka(connection: KafkaConnection): KafkaClient & KafkaConsumerClient {
  return new PlatformaticClient(connection);
}
