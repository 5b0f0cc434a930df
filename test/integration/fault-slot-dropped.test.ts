// Guarantee: when the connector's replication slot is dropped from outside while it streams (its
// walsender terminated, then pg_drop_replication_slot before it reconnects), the changes since the
// stored offset may be gone, so the connector goes FAILED with a reason naming the slot. It never
// silently creates a new slot and resumes from somewhere else (which would skip changes).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { dropSlotUnderConnector, ItemWrites, slotExists, walsenderPid } from '../harness/slot-faults.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

const NAME = 'pgcdc_it_fault_slot_dropped';
let running: RunningConnector | undefined;
let oracle: PgOracle | undefined;
let writes: ItemWrites | undefined;

after(async () => {
  await writes?.stop();
  await running?.stop();
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

test('slot dropped under a streaming connector: FAILED naming the slot, no new slot created', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL, n int NOT NULL DEFAULT 0)`));
  const config = testConnectorConfig(db, services, NAME, { 'errors.retry.delay.initial.ms': '300' });
  const slot = config['slot.name'] as string;
  running = await startConnector(services, config);
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });
  writes = new ItemWrites(db);
  writes.start();
  await eventually(async () => (await walsenderPid(db, slot)) !== null, 'the connector to stream', 60_000);
  await new Promise((r) => setTimeout(r, 1500));
  // Everything written so far is delivered and its offset stored: the copy equals the source.
  await writes.stop();
  await oracle.converge(db, ['public.items'], 120_000);
  assert.ok((await running.offsetStore.read(KafkaOffsetStore.key(NAME, topicPrefixFor(NAME)))) !== undefined, 'an offset is stored');
  writes = new ItemWrites(db, 1_000_000);
  writes.start();

  const attempts = await dropSlotUnderConnector(db, slot);
  console.log(`slot dropped after ${attempts} attempt(s)`);
  await eventually(() => running!.connector.state === 'FAILED', `the connector to fail (state ${running.connector.state}: ${running.connector.trace})`, 60_000);
  const reason = running.connector.trace ?? '';
  assert.match(reason, new RegExp(`replication slot "${slot}" does not exist`), reason);
  assert.match(reason, /stored offset/, 'the reason says an offset was stored, i.e. why resuming elsewhere is unsafe');

  // Writes after the drop must not be streamed from some new slot: none exists, and none appears.
  const committed = await writes.stop();
  assert.ok(committed > 0);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(await slotExists(db, slot), false, 'the connector did not create a new slot');
  assert.equal(running.connector.state, 'FAILED', 'and it stays FAILED (no retry loop that could resume elsewhere)');
});
