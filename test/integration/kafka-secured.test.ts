import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { SecureKafka } from '../harness/secure-kafka.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { openKafka } from '../../src/kafka/client.js';
import { kafkaSecurityFrom } from '../../src/kafka/security.js';

/**
 * Issue 14: the worker reaches a Kafka that wants SASL_SSL + SCRAM-SHA-512 (and one that wants
 * client certificates), configured in Kafka Connect's vocabulary through a worker properties file
 * and PGCDC_KAFKA_* variables. PostgreSQL and the registry are the shared ones.
 */
const NAME = 'pgcdc_it_kafka_secured';
let shared: TestServices;
let kafka: SecureKafka;
let db: pg.ClientConfig;
let dir: string;
const workers: WorkerProcess[] = [];

const jaas = (password: string) => `org.apache.kafka.common.security.scram.ScramLoginModule required username="pgcdc" password="${password}";`;

before(async () => {
  shared = await testServices();
  kafka = new SecureKafka();
  await kafka.start();
  db = await freshDatabase(shared, NAME);
  await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, label text)'));
  dir = mkdtempSync(join(tmpdir(), 'pgcdc-secured-'));
});

after(async () => {
  for (const w of workers) await w.kill('SIGKILL').catch(() => {});
  await kafka?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function saslWorker(name: string, props: string, overrides: Record<string, unknown> = {}): WorkerProcess {
  const file = join(dir, `${name}.properties`);
  writeFileSync(file, props);
  const services = { ...shared, kafkaBrokers: [`127.0.0.1:${kafka.saslPort}`] };
  const w = new WorkerProcess(services, testConnectorConfig(db, shared, name, overrides), `pgcdc-offsets-${name}`, { PGCDC_WORKER_PROPERTIES: file });
  workers.push(w);
  w.start();
  return w;
}

const saslProps = (password: string, ca: string) => [
  '# a managed-Kafka style client config',
  'security.protocol=SASL_SSL',
  'sasl.mechanism=SCRAM-SHA-512',
  `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\`,
  `    username="pgcdc" password="${password}";`,
  'ssl.truststore.type=PEM',
  `ssl.truststore.location=${ca}`,
  '',
].join('\n');

test('SASL_SSL + SCRAM-SHA-512 (zstd batches): changes arrive on the secured broker, read back with a secured client', async () => {
  // zstd batches too: the broker must accept what producer.override.compression.type makes.
  const w = saslWorker(NAME, saslProps(kafka.password, kafka.file('ca.pem')), { 'producer.override.compression.type': 'zstd' });
  await withClient(db, async (c) => {
    for (let i = 1; i <= 5; i++) await c.query('INSERT INTO items VALUES ($1, $2)', [i, `row ${i}`]);
  });
  const problems: string[] = [];
  const { security } = kafkaSecurityFrom(new Map([
    ['security.protocol', 'SASL_SSL'], ['sasl.mechanism', 'SCRAM-SHA-512'], ['sasl.jaas.config', jaas(kafka.password)],
    ['ssl.truststore.type', 'PEM'], ['ssl.truststore.certificates', kafka.caPem],
  ]), problems);
  assert.deepEqual(problems, []);
  const reader = openKafka({ clientId: 'pgcdc-test-secured', brokers: [`127.0.0.1:${kafka.saslPort}`], security });
  const topic = `${topicPrefixFor(NAME)}.public.items`;
  await eventually(async () => {
    if (!(await reader.listTopics().catch(() => [] as string[])).includes(topic)) return false;
    return (await reader.compactedLog(topic).readAll().catch(() => new Map())).size >= 5;
  }, `5 change events on ${topic}; worker output:\n${w.output.slice(-3000)}`, 90_000).catch((err) => {
    throw new Error(`${(err as Error).message}\n${w.output.slice(-3000)}`);
  });
  assert.ok(!w.output.includes(kafka.password), 'the password is never logged');
  await w.kill('SIGTERM');
});

test('a wrong password: an error naming sasl.jaas.config, not the password, and no topic created', async () => {
  const name = `${NAME}_badpw`;
  const wrong = 'not-the-password-4711';
  const w = saslWorker(name, saslProps(wrong, kafka.file('ca.pem')));
  await eventually(() => /sasl\.jaas\.config/.test(w.output), `an error naming sasl.jaas.config; output:\n${w.output.slice(-3000)}`, 60_000)
    .catch((err) => { throw new Error(`${(err as Error).message}\n${w.output.slice(-3000)}`); });
  assert.ok(!w.output.includes(wrong), w.output.slice(-3000));
  await w.kill('SIGKILL');
  const { security } = kafkaSecurityFrom(new Map([
    ['security.protocol', 'SASL_SSL'], ['sasl.mechanism', 'SCRAM-SHA-512'], ['sasl.jaas.config', jaas(kafka.password)],
    ['ssl.truststore.type', 'PEM'], ['ssl.truststore.certificates', kafka.caPem],
  ]), []);
  const topics = await openKafka({ clientId: 'pgcdc-test-secured', brokers: [`127.0.0.1:${kafka.saslPort}`], security }).listTopics();
  assert.ok(!topics.includes(`pgcdc-offsets-${name}`), topics.join(','));
});

test('an untrusted CA: an error naming ssl.truststore', async () => {
  const w = saslWorker(`${NAME}_badca`, saslProps(kafka.password, kafka.file('other-ca.pem')));
  await eventually(() => /ssl\.truststore/.test(w.output), `an error naming ssl.truststore.*; output:\n${w.output.slice(-3000)}`, 60_000)
    .catch((err) => { throw new Error(`${(err as Error).message}\n${w.output.slice(-3000)}`); });
  await w.kill('SIGKILL');
});

test('mTLS: SSL with a PEM client certificate reaches the listener that requires one; without it, refused', async () => {
  const base = new Map([['security.protocol', 'SSL'], ['ssl.truststore.type', 'PEM'], ['ssl.truststore.location', kafka.file('ca.pem')]]);
  const withCert = new Map([...base, ['ssl.keystore.type', 'PEM'], ['ssl.keystore.location', kafka.file('client-keystore.pem')]]);
  const problems: string[] = [];
  const good = kafkaSecurityFrom(withCert, problems).security;
  assert.deepEqual(problems, []);
  const brokers = [`127.0.0.1:${kafka.mtlsPort}`];
  assert.ok(Array.isArray(await openKafka({ clientId: 'pgcdc-test-mtls', brokers, security: good }).listTopics()));
  const none = kafkaSecurityFrom(base, []).security;
  await assert.rejects(openKafka({ clientId: 'pgcdc-test-mtls', brokers, security: none }).listTopics());
});
