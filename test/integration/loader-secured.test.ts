import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { SecureKafka } from '../harness/secure-kafka.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { kafkaSecurityFrom } from '../../src/kafka/security.js';

/**
 * Issue 14: the reference loader reaches a secured Kafka (SASL_SSL + SCRAM-SHA-512) with the same
 * settings as the worker, turned into client options by kafkaSecurityFrom: its consumer group reads
 * the table topics the worker wrote there and the copy equals the source.
 */
const NAME = 'pgcdc_it_loader_secured';
let kafka: SecureKafka | undefined;
let worker: WorkerProcess | undefined;
let oracle: PgOracle | undefined;
let dir: string | undefined;

after(async () => {
  await worker?.kill('SIGKILL').catch(() => {});
  await oracle?.close().catch(() => {});
  await kafka?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await dropDatabase(await testServices(), NAME);
});

test('the loader consumes from a SASL_SSL + SCRAM-SHA-512 broker with the worker\'s settings; the copy equals the source', async () => {
  const shared = await testServices();
  kafka = new SecureKafka();
  await kafka.start();
  const db = await freshDatabase(shared, NAME);
  await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, label text)'));
  const settings = new Map([
    ['security.protocol', 'SASL_SSL'],
    ['sasl.mechanism', 'SCRAM-SHA-512'],
    ['sasl.jaas.config', `org.apache.kafka.common.security.scram.ScramLoginModule required username="pgcdc" password="${kafka.password}";`],
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', kafka.file('ca.pem')],
  ]);
  dir = mkdtempSync(join(tmpdir(), 'pgcdc-loader-secured-'));
  const props = join(dir, 'worker.properties');
  writeFileSync(props, [...settings].map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const brokers = [`127.0.0.1:${kafka.saslPort}`];
  worker = new WorkerProcess({ ...shared, kafkaBrokers: brokers }, testConnectorConfig(db, shared, NAME), `pgcdc-offsets-${NAME}`, { PGCDC_WORKER_PROPERTIES: props });
  worker.start();

  const problems: string[] = [];
  const { security } = kafkaSecurityFrom(settings, problems);
  assert.deepEqual(problems, []);
  oracle = await PgOracle.start({ brokers, security, registryUrl: shared.registryUrl, pg: shared.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });
  const converge = () => oracle!.converge(db, ['public.items'], 120_000).catch((err) => {
    throw new Error(`${(err as Error).message}\nworker output:\n${worker!.output.slice(-3000)}`);
  });
  await withClient(db, (c) => c.query(`INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 50) g`));
  await converge();
  // Now streaming: the deletes arrive as events (not as rows missing from a snapshot).
  await withClient(db, async (c) => {
    await c.query(`UPDATE items SET label = label || '+' WHERE id % 5 = 0`);
    await c.query(`DELETE FROM items WHERE id % 7 = 0`);
  });
  await converge();
  assert.equal(oracle.loader.stats.deleted, 7, `loader stats ${JSON.stringify(oracle.loader.stats)}`);
  assert.equal(await worker.kill('SIGTERM'), 0);
});
