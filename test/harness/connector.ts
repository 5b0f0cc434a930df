import { openKafka } from '../../src/kafka/client.js';
import type { KafkaClient } from '../../src/kafka/ports.js';
import pino from 'pino';
import type pg from 'pg';
import { validateConnectorConfig } from '../../src/config/index.js';
import { Connector } from '../../src/connector/connector.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import type { TestServices } from './services.js';

export interface RunningConnector {
  connector: Connector;
  kafka: KafkaClient;
  offsetStore: KafkaOffsetStore;
  stop(): Promise<void>;
}

/**
 * Unique per test process: topics, subjects and offsets of earlier runs on the same long-lived stack
 * never mix with this run's (the database, slot and publication are recreated per run instead).
 */
export const RUN_ID = Date.now().toString(36);
export const topicPrefixFor = (name: string) => `${name}_${RUN_ID}`;

/** The connector config a test starts from: one database, a unique prefix, slot and publication. */
export function testConnectorConfig(db: pg.ClientConfig, services: TestServices, name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': db.host,
    'database.port': String(db.port),
    'database.user': db.user,
    'database.password': db.password ?? '',
    'database.dbname': db.database,
    'topic.prefix': topicPrefixFor(name),
    'slot.name': name.replace(/[^a-z0-9_]/g, '_'),
    'publication.name': `${name}_pub`,
    'value.converter.schema.registry.url': services.registryUrl,
    'key.converter.schema.registry.url': services.registryUrl,
    'offset.flush.interval.ms': '200',
    ...overrides,
  };
}

export async function startConnector(services: TestServices, raw: Record<string, unknown>, offsetTopic = 'pgcdc-test-offsets'): Promise<RunningConnector> {
  const { config, errors } = validateConnectorConfig(raw);
  if (!config) throw new Error(`invalid test config: ${JSON.stringify(errors)}`);
  const kafka = openKafka({ clientId: `pgcdc-test-${config.name}`, brokers: services.kafkaBrokers });
  const offsetStore = new KafkaOffsetStore(kafka, offsetTopic);
  await offsetStore.start();
  const log = pino({ level: process.env.PGCDC_TEST_LOG_LEVEL ?? 'warn' });
  const connector = new Connector(config, { kafka, offsetStore, log });
  await connector.start();
  return {
    connector,
    kafka,
    offsetStore,
    stop: async () => {
      await connector.stop();
      await offsetStore.stop();
    },
  };
}

/** Waits until `check` is true, polling; fails with `what` after the timeout. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
