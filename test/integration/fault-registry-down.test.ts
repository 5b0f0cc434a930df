import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PrivateStack } from '../harness/private-stack.js';
import { LOAD_TABLE_DDL, SlotSampler, WriteLoad } from '../harness/fault-load.js';
import { assertConfirmedNeverAhead, assertDuplicatesOnlyAfterStoredOffsets, assertRebuiltEqualsSource, readChangeTopics, readOffsetHistory, waitForStoredTx } from '../harness/fault-checks.js';
import { rebuildTable } from '../harness/oracle.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

/**
 * Issue 7, scenario 3: a private schema registry is stopped while the source keeps writing, a DDL
 * that needs a new schema version happens while it is down, then the registry is started again.
 * Kafka is the shared one. The private registry keeps its schemas on disk, so ids
 * of records already in Kafka still resolve after its restart.
 */
const NAME = 'pgcdc_it_fault_registry';
const OUTAGE_MS = 20_000;

let shared: TestServices;
let stack: PrivateStack | undefined;
let worker: WorkerHttp | undefined;
let db: pg.ClientConfig;
let load: WriteLoad | undefined;
let sampler: SlotSampler | undefined;
let oracle: PgOracle | undefined;

before(async () => {
  shared = await testServices();
  // a private PostgreSQL too: slot creation on the shared one waits for every open transaction of
  // other tests and benchmarks, which made this test's timing depend on them
  stack = await PrivateStack.start(shared, { registry: true, postgres: true });
  db = await freshDatabase(stack.services, NAME);
  await withClient(db, (c) => c.query(LOAD_TABLE_DDL));
  worker = new WorkerHttp(stack.services, 'faultregistry');
  await worker.start();
});

after(async () => {
  sampler?.stop();
  await load?.stop().catch(() => {});
  await worker?.stop('SIGKILL');
  await oracle?.close();
  await stack?.cleanup(); // the private cluster goes, with the database, its slot and the oracle's copy
});

test('registry down while writes and a schema change go on: the connector retries, then delivers every change with the new schema', async () => {
  const services = stack!.services;
  const registry = stack!.registry!;
  const w = worker!;
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'errors.retry.delay.max.ms': '3000' });
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
  await eventually(async () => (await readOffsetHistory(services.kafkaBrokers, w.offsetTopic, offsetKey)).some((h) => h.txId !== null), 'an offset to be stored under load', 60_000);

  const downAt = Date.now();
  await registry.stop();
  const seen: { state: string; trace?: string }[] = [];
  let altered = false;
  while (Date.now() - downAt < OUTAGE_MS) {
    if (!altered && Date.now() - downAt > 3000) {
      // A compatible change (nullable column): needs a new value schema version, which cannot be registered now.
      await withClient(db, (c) => c.query('ALTER TABLE items ADD COLUMN note text'));
      load.extraColumns = { note: (id) => `note ${id}` };
      altered = true;
    }
    const s = await status();
    seen.push({ state: s.connector.state, trace: s.connector.trace });
    await new Promise((r) => setTimeout(r, 1000));
  }
  const upAt = Date.now();
  await registry.start();
  const registryStartMs = Date.now() - upAt;
  await new Promise((r) => setTimeout(r, 3000));
  const xid = await load.stop();
  sampler.stop();

  const topic = `${topicPrefixFor(NAME)}.public.items`;
  const history = await waitForStoredTx(services.kafkaBrokers, w.offsetTopic, offsetKey, xid, 120_000, () => w.output.slice(-3000));
  const caughtUpMs = Date.now() - upAt;
  const records = await readChangeTopics(services.kafkaBrokers, services.registryUrl, [topic]);
  const source = await withClient(db, (c) => c.query('SELECT id, v, n, note FROM items ORDER BY id'));
  console.log(JSON.stringify({ registryStartMs, caughtUpAfterRegistryUpMs: caughtUpMs, states: [...new Set(seen.map((s) => s.state))], trace: seen.find((s) => s.trace)?.trace?.slice(0, 300), committed: load.committed, records: records.length }));

  // No loss, twice: the reference loader's copy database (ordered row hashes) and the in-memory rebuild.
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });
  await oracle.converge(db, ['public.items'], 120_000);
  assertRebuiltEqualsSource(rebuildTable(records, (row) => String(row.id)), source.rows, 'id');
  const duplicates = assertDuplicatesOnlyAfterStoredOffsets(records, history);
  assertConfirmedNeverAhead(sampler.samples, history, initial);

  // Retried, never FAILED; while it could not register, the status named the registry and the subject.
  assert.ok(seen.every((s) => s.state === 'RUNNING' || s.state === 'RESTARTING'), `states during the outage: ${seen.map((s) => s.state).join(', ')}`);
  assert.ok(
    seen.some((s) => s.state === 'RESTARTING' && /schema registry/.test(s.trace ?? '') && s.trace!.includes(`"${topic}-`)),
    `RESTARTING with a trace naming the registry and subject: ${JSON.stringify(seen.find((s) => s.trace))}`,
  );
  await eventually(async () => (await status()).connector.state === 'RUNNING', 'RUNNING after the registry is back');

  // The new column arrived under a second value schema version registered after the restart.
  const withNote = records.filter((r) => r.value?.after && 'note' in r.value.after && r.value.after.note !== null);
  assert.ok(withNote.length > 0, 'changes written after the ALTER carry the new column');
  const versions = (await (await fetch(`${services.registryUrl}/subjects/${topic}-value/versions`)).json()) as number[];
  assert.ok(versions.length >= 2, `a new value schema version was registered (versions ${JSON.stringify(versions)})`);
  console.log(JSON.stringify({ duplicates, withNote: withNote.length }));
});
