import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { workerSettingsFromEnv } from '../../src/worker/standalone.js';
import { validateConnectorConfig } from '../../src/config/index.js';
import { Connector } from '../../src/connector/connector.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import { MemoryKafkaClient } from '../fakes/memory-kafka.js';

const propertiesFile = (lines: string[]) => {
  const file = join(mkdtempSync(join(tmpdir(), 'pgcdc-eos-')), 'worker.properties');
  writeFileSync(file, lines.join('\n'));
  return file;
};

test('exactly.once.source.support: read from the worker file or PGCDC_KAFKA_EXACTLY_ONCE_SOURCE_SUPPORT, disabled by default, other values refused by name', () => {
  const problems: string[] = [];
  assert.equal(workerSettingsFromEnv({}, problems).exactlyOnceSourceSupport, false);
  const enabled = workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: propertiesFile(['bootstrap.servers=k:9092', 'exactly.once.source.support=enabled']) }, problems);
  assert.equal(enabled.exactlyOnceSourceSupport, true);
  assert.deepEqual(enabled.unusedProperties, [], 'the key is used, not warned about');
  assert.equal(workerSettingsFromEnv({ PGCDC_WORKER_PROPERTIES: propertiesFile(['exactly.once.source.support=enabled']), PGCDC_KAFKA_EXACTLY_ONCE_SOURCE_SUPPORT: 'disabled' }, problems).exactlyOnceSourceSupport, false, 'the environment overrides the file');
  assert.deepEqual(problems, []);
  const refused: string[] = [];
  workerSettingsFromEnv({ PGCDC_KAFKA_EXACTLY_ONCE_SOURCE_SUPPORT: 'preparing' }, refused);
  assert.match(refused.join('\n'), /exactly\.once\.source\.support="preparing" must be disabled or enabled/);
});

test('a worker with exactly.once.source.support=enabled runs connectors exactly-once (poll boundary) unless they chose a boundary themselves', () => {
  const raw = {
    name: 'c', 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': 'h', 'database.user': 'u', 'database.dbname': 'd',
    'topic.prefix': 'p', 'value.converter.schema.registry.url': 'http://r', 'offset.flush.interval.ms': '300',
  };
  const kafka = new MemoryKafkaClient();
  const services = (on: boolean) => ({ kafka, offsetStore: new KafkaOffsetStore(kafka, 'offsets'), log: pino({ level: 'silent' }), exactlyOnceSourceSupport: on });
  const atLeastOnce = validateConnectorConfig(raw).config!;
  assert.equal(new Connector(atLeastOnce, services(false)).config.exactlyOnce, null);
  assert.deepEqual(new Connector(atLeastOnce, services(true)).config.exactlyOnce, { boundary: 'poll', intervalMs: 300 });
  const own = validateConnectorConfig({ ...raw, 'exactly.once.support': 'required', 'transaction.boundary': 'interval', 'transaction.boundary.interval.ms': '900' }).config!;
  assert.deepEqual(new Connector(own, services(true)).config.exactlyOnce, { boundary: 'interval', intervalMs: 900 });
});
