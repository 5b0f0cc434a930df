import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PrivateStack } from '../harness/private-stack.js';
import { LOAD_TABLE_DDL, SlotSampler, WriteLoad } from '../harness/fault-load.js';
import { assertConfirmedNeverAhead, assertRebuiltEqualsSource, readChangeTopics, readOffsetHistory, waitForStoredTx, type TimedRecord } from '../harness/fault-checks.js';
import { exactlyOnceFindings } from '../harness/eos-checks.js';
import { rebuildTable } from '../harness/oracle.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

/**
 * Exactly-once through a broker outage (issue 17): the private broker is stopped for 20 s under
 * write load and started again. Sends inside the open transaction fail and are not resent; the run
 * restarts, fences its earlier producer and resumes from the last committed offset. A read_committed
 * reader then sees every change once, and the copy equals the source.
 */
const NAME = 'pgcdc_it_fault_kafka_eos';
const OUTAGE_MS = 20_000;

let stack: PrivateStack | undefined;
let worker: WorkerHttp | undefined;
let db: pg.ClientConfig;
let load: WriteLoad | undefined;
let sampler: SlotSampler | undefined;

before(async () => {
  const shared = await testServices();
  stack = await PrivateStack.start(shared, { kafka: true, postgres: true });
  db = await freshDatabase(stack.services, NAME);
  await withClient(db, (c) => c.query(LOAD_TABLE_DDL));
  worker = new WorkerHttp(stack.services, 'faultkafkaeos');
  await worker.start();
});

after(async () => {
  sampler?.stop();
  await load?.stop().catch(() => {});
  await worker?.stop('SIGKILL');
  await stack?.cleanup();
});

test('exactly-once, Kafka down for 20 s under writes: no loss and no duplicate for a read_committed reader', async () => {
  const services = stack!.services;
  const w = worker!;
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'exactly.once.support': 'required', 'errors.retry.delay.max.ms': '3000' });
  const status = async () => (await w.request('GET', `/connectors/${NAME}/status`)).body;
  assert.equal((await w.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await status())?.connector?.state === 'RUNNING', 'connector RUNNING', 60_000);

  sampler = new SlotSampler(db, NAME);
  await eventually(async () => (await sampler!.sample(), sampler!.samples.at(-1)?.confirmed != null), 'the slot to exist');
  const initial = sampler.samples.at(-1)!.confirmed!;
  sampler.start();
  load = new WriteLoad(db);
  load.start();
  const offsetKey = KafkaOffsetStore.key(NAME, topicPrefixFor(NAME));
  await eventually(async () => (await readOffsetHistory(services.kafkaBrokers, w.offsetTopic, offsetKey)).some((h) => h.txId !== null), 'an offset committed under load', 60_000);
  await new Promise((r) => setTimeout(r, 2000));

  await stack!.kafka!.stop();
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  await stack!.kafka!.start();

  await eventually(async () => (await status())?.connector?.state === 'RUNNING', `RUNNING again after Kafka is back:\n${w.output.slice(-3000)}`, 120_000);
  await new Promise((r) => setTimeout(r, 3000));
  const xid = await load.stop();
  sampler.stop();
  const topic = `${topicPrefixFor(NAME)}.public.items`;
  const history = await waitForStoredTx(services.kafkaBrokers, w.offsetTopic, offsetKey, xid, 120_000, () => w.output.slice(-3000));
  const records = await readChangeTopics(services.kafkaBrokers, services.registryUrl, [topic]);
  const source = await withClient(db, (c) => c.query('SELECT id, v, n FROM items ORDER BY id'));

  assertRebuiltEqualsSource(rebuildTable(records, (row) => String(row.id)), source.rows, 'id');
  const { duplicates } = exactlyOnceFindings(records);
  assert.deepEqual(duplicates.slice(0, 5), [], `${duplicates.length} duplicated events under exactly-once`);
  assertConfirmedNeverAhead(sampler.samples, history, initial);
  const restarts = w.output.split('\n').filter((l) => /connector interrupted; retrying/.test(l)).length;
  console.log(JSON.stringify({ committedTransactions: load.committed, records: records.length, restarts }));
  assert.ok(load.committed > 0 && records.length > 0);
});
