import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { TestServices } from './services.js';

/** The same three services as the local stack, in containers, for machines with a Docker engine. */
export async function startContainers(): Promise<TestServices> {
  const started: StartedTestContainer[] = [];
  try {
    const pg = await new GenericContainer('postgres:15')
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
      .withCommand(['postgres', '-c', 'wal_level=logical', '-c', 'max_replication_slots=10', '-c', 'max_wal_senders=10'])
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    started.push(pg);
    const kafka = await new GenericContainer('apache/kafka:4.1.0')
      .withExposedPorts({ container: 9092, host: 9092 })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:9092',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      })
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    started.push(kafka);
    const registry = await new GenericContainer('apicurio/apicurio-registry:3.0.6')
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start();
    started.push(registry);
    return {
      pg: { host: pg.getHost(), port: pg.getMappedPort(5432), user: 'postgres', password: 'postgres', database: 'postgres' },
      kafkaBrokers: ['127.0.0.1:9092'],
      registryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      stop: async () => {
        for (const c of started.reverse()) await c.stop();
      },
    };
  } catch (err) {
    for (const c of started.reverse()) await c.stop().catch(() => {});
    throw err;
  }
}
