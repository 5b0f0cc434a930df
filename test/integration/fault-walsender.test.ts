// Guarantee: when PostgreSQL terminates the connector's walsender (pg_terminate_backend, as a
// failover script or an operator might), the connector retries with backoff, reconnects to the same
// slot and resumes: nothing is lost (the copy rebuilt by the reference loader equals the source)
// and confirmed_flush_lsn never passes the stored offset's flush LSN.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { ItemWrites, terminateBackend, walsenderPid } from '../harness/slot-faults.js';
import { slotConfirmed } from '../harness/chaos-run.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

const NAME = 'pgcdc_it_fault_walsender';
let running: RunningConnector | undefined;
let oracle: PgOracle | undefined;
let writes: ItemWrites | undefined;

after(async () => {
  await writes?.stop();
  await running?.stop();
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

test('walsender terminated three times under writes: the connector reconnects and the copy equals the source', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL, n int NOT NULL DEFAULT 0)`));
  const config = testConnectorConfig(db, services, NAME, { 'errors.retry.delay.initial.ms': '200', 'errors.retry.delay.max.ms': '2000' });
  const slot = config['slot.name'] as string;
  running = await startConnector(services, config);
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });
  writes = new ItemWrites(db);
  writes.start();

  const pids: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 3; i++) {
    await eventually(async () => {
      const pid = await walsenderPid(db, slot);
      return pid !== null && !pids.includes(pid);
    }, `a (new) walsender for slot ${slot} (state ${running.connector.state}: ${running.connector.trace})`, 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // let it stream for a while
    const pid = (await walsenderPid(db, slot))!;
    pids.push(pid);
    assert.ok(await terminateBackend(db, pid), `walsender ${pid} terminated`);
    console.log(`${Date.now() - t0} ms: terminated walsender ${pid}`);
  }
  await eventually(async () => running!.connector.state === 'RUNNING' && (await walsenderPid(db, slot)) !== null, `the connector to stream again (state ${running.connector.state}: ${running.connector.trace})`, 60_000);
  const committed = await writes.stop();
  assert.ok(committed > 100, `writes went on throughout (${committed} transactions)`);

  console.log(`${Date.now() - t0} ms: streaming again, ${committed} transactions written`);
  await oracle.converge(db, ['public.items'], 120_000);
  console.log(`${Date.now() - t0} ms: copy equals source`);
  // confirmed first: the offset is stored before it is confirmed, and an idle connector keeps
  // advancing to keepalive positions, so the stored offset read afterwards is at least as far.
  const confirmed = await slotConfirmed(db, slot);
  const stored = await running.offsetStore.read(KafkaOffsetStore.key(NAME, topicPrefixFor(NAME)));
  assert.ok(stored && confirmed !== null && confirmed <= BigInt(stored.pgcdc_flush_lsn as string), `confirmed_flush_lsn ${confirmed} <= stored flush ${stored?.pgcdc_flush_lsn}`);
  assert.equal(running.connector.state, 'RUNNING');
});
