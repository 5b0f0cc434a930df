import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PrivateStack } from '../harness/private-stack.js';
import { LOAD_TABLE_DDL, SlotSampler, WriteLoad } from '../harness/fault-load.js';
import { assertConfirmedNeverAhead, assertDuplicatesOnlyAfterStoredOffsets, assertRebuiltEqualsSource, readChangeTopics, readOffsetHistory, waitForStoredTx, type StoredOffsetAt } from '../harness/fault-checks.js';
import { rebuildTable } from '../harness/oracle.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

/**
 * Issue 7, scenario 4a: a private PostgreSQL cluster is shut down and started again while the
 * connector streams and a load writes: once with `pg_ctl stop -m fast` (clean shutdown
 * checkpoint), once with `-m immediate` (no checkpoint: crash recovery, and the slot comes back
 * with whatever confirmed_flush_lsn was last saved). Kafka and the registry are the shared ones.
 */
const NAME = 'pgcdc_it_fault_pg';

let shared: TestServices;
let stack: PrivateStack | undefined;
let worker: WorkerHttp | undefined;
let db: pg.ClientConfig;
let load: WriteLoad | undefined;
let sampler: SlotSampler | undefined;
let oracle: PgOracle | undefined;

before(async () => {
  shared = await testServices();
  stack = await PrivateStack.start(shared, { postgres: true });
  db = await freshDatabase(stack.services, NAME);
  await withClient(db, (c) => c.query(LOAD_TABLE_DDL));
  worker = new WorkerHttp(stack.services, 'faultpg');
  await worker.start();
});

after(async () => {
  sampler?.stop();
  await load?.stop().catch(() => {});
  await worker?.stop('SIGKILL');
  await oracle?.close();
  await stack?.cleanup(); // the whole cluster goes, its database and slot with it
});

test('PostgreSQL restarted (fast, then immediate) while streaming and writing: reconnects, no loss, confirmed LSN never ahead', async () => {
  const services = stack!.services;
  const postgres = stack!.postgres!;
  const w = worker!;
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'errors.retry.delay.max.ms': '2000' });
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
  const history = () => readOffsetHistory(services.kafkaBrokers, w.offsetTopic, offsetKey);
  const storedAfter = async (t: number) => (await history()).some((h: StoredOffsetAt) => h.txId !== null && h.timestamp > t);

  const states = new Set<string>();
  const traces: string[] = [];
  const watch = setInterval(() => {
    void status()
      .then((s) => {
        states.add(s.connector.state);
        if (s.connector.trace) traces.push(s.connector.trace);
      })
      .catch(() => {});
  }, 500);
  const timings: Record<string, number> = {};
  try {
    await eventually(() => storedAfter(0), 'an offset to be stored under load', 60_000);
    for (const mode of ['fast', 'immediate'] as const) {
      await new Promise((r) => setTimeout(r, 2000)); // streaming under load before each fault
      const downAt = Date.now();
      await postgres.stop(mode);
      await new Promise((r) => setTimeout(r, 3000)); // down for a while: reconnect attempts are refused
      await postgres.start();
      const upAt = Date.now();
      // streaming again: an offset of a transaction written after the restart is stored
      await eventually(() => storedAfter(upAt), `delivery to resume after the ${mode} restart:\n${w.output.slice(-3000)}`, 60_000);
      timings[`${mode}DownMs`] = upAt - downAt;
      timings[`${mode}ResumedAfterUpMs`] = Date.now() - upAt;
    }
  } finally {
    clearInterval(watch);
  }
  const xid = await load.stop();
  sampler.stop();

  const topic = `${topicPrefixFor(NAME)}.public.items`;
  const stored = await waitForStoredTx(services.kafkaBrokers, w.offsetTopic, offsetKey, xid, 120_000, () => w.output.slice(-3000));
  const records = await readChangeTopics(services.kafkaBrokers, services.registryUrl, [topic]);
  const source = await withClient(db, (c) => c.query('SELECT id, v, n FROM items ORDER BY id'));
  console.log(JSON.stringify({ ...timings, states: [...states], trace: traces[0]?.slice(0, 300), committed: load.committed, failedWrites: load.failed, records: records.length }));

  // No loss, twice: the reference loader's copy database (ordered row hashes) and the in-memory rebuild.
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: shared.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });
  await oracle.converge(db, ['public.items'], 120_000);
  assertRebuiltEqualsSource(rebuildTable(records, (row) => String(row.id)), source.rows, 'id');
  const duplicates = assertDuplicatesOnlyAfterStoredOffsets(records, stored);
  assertConfirmedNeverAhead(sampler.samples, stored, initial);
  assert.ok(load.failed > 0, 'the load saw the database go away');
  assert.ok(!states.has('FAILED'), `never FAILED (states ${[...states].join(', ')})`);
  assert.ok(traces.some((t) => /PostgreSQL|replication|terminat|ECONNREFUSED|shut/i.test(t)), `a RESTARTING trace named the cause: ${traces[0]}`);
  assert.equal((await status()).connector.state, 'RUNNING');
  console.log(JSON.stringify({ duplicates }));
});
