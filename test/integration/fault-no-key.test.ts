// Guarantee: tables without a primary key and tables with REPLICA IDENTITY NOTHING stream as
// Debezium emits them (null Kafka key without a primary key; `before` only with REPLICA IDENTITY
// FULL), and the copy equals the source as far as the identity allows: without a key, inserts
// (duplicates too) are appended; with FULL, an update or delete changes one row equal to `before`.
// PostgreSQL itself refuses UPDATE/DELETE on a published table whose replica identity has no
// columns (no key + DEFAULT, or NOTHING), so those tables only ever carry inserts (and truncates).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { readTopics } from '../harness/topics.js';
import { withKafkaAdmin } from '../harness/kafka-admin.js';
import { topicEnds } from '../harness/topic-reader.js';
import { WarehouseLoader } from '../../src/loader/index.js';

const NAME = 'pgcdc_it_fault_no_key';
let running: RunningConnector | undefined;
let oracle: PgOracle | undefined;

after(async () => {
  await running?.stop();
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

test('no primary key, REPLICA IDENTITY FULL and NOTHING: Debezium-shaped events, copies equal where the identity allows', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const sql = (text: string) => withClient(db, (c) => c.query(text));
  await sql(`
    CREATE TABLE nokey (a int, b text);
    CREATE TABLE nokey_full (a int, b text, d numeric);
    ALTER TABLE nokey_full REPLICA IDENTITY FULL;
    CREATE TABLE pk_nothing (id int PRIMARY KEY, v text);
    ALTER TABLE pk_nothing REPLICA IDENTITY NOTHING;
  `);
  const prefix = topicPrefixFor(NAME);
  running = await startConnector(services, testConnectorConfig(db, services, NAME));
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: prefix });

  await sql(`INSERT INTO nokey SELECT g % 10, 'x' || (g % 10) FROM generate_series(1, 50) g`); // every row five times
  await sql(`INSERT INTO nokey_full SELECT g % 10, 'y' || (g % 10), g % 10 * 1.5 FROM generate_series(1, 40) g`);
  await sql(`INSERT INTO pk_nothing SELECT g, 'v' || g FROM generate_series(1, 30) g`);
  // FULL: change and delete single copies among identical rows, and whole groups
  await sql(`UPDATE nokey_full SET b = 'changed' WHERE ctid = (SELECT ctid FROM nokey_full WHERE a = 1 LIMIT 1)`);
  await sql(`DELETE FROM nokey_full WHERE ctid = (SELECT ctid FROM nokey_full WHERE a = 2 LIMIT 1)`);
  await sql(`UPDATE nokey_full SET d = NULL WHERE a = 3`);
  await sql(`DELETE FROM nokey_full WHERE a = 4`);
  // no columns in the identity: PostgreSQL refuses, so no update/delete event can exist
  await assert.rejects(sql(`UPDATE nokey SET b = 'z' WHERE a = 1`), /does not have a replica identity/);
  await assert.rejects(sql(`DELETE FROM pk_nothing WHERE id = 1`), /does not have a replica identity/);

  await oracle.converge(db, ['public.nokey', 'public.nokey_full', 'public.pk_nothing']);
  assert.equal(oracle.loader.stats.skipped, 0, 'every event could be applied');
  console.log(`loader ${JSON.stringify(oracle.loader.stats)}, ${oracle.loader.refetchedSkipped} refetched records skipped`);

  const topics = ['nokey', 'nokey_full', 'pk_nothing'].map((t) => `${prefix}.public.${t}`);

  // The loader's own at-least-once: consumer offsets rewound (as after a crash before the consumer
  // commit) must not append the key-less rows twice; the offsets recorded in the target skip them.
  await oracle.loader.stop();
  // The topics are new and never truncated: their earliest offset is 0.
  const rewound = await Promise.all(topics.map(async (name) => ({ name, partitionOffsets: (await topicEnds(services.kafkaBrokers, name)).map((_end, partition) => ({ partition, offset: 0n })) })));
  const groupId = oracle.loader.groupId;
  await withKafkaAdmin(services.kafkaBrokers, (admin) => admin.alterConsumerGroupOffsets({ groupId, topics: rewound }));
  const again = new WarehouseLoader({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, target: oracle.copyDb, topicPrefix: prefix, groupId: oracle.loader.groupId });
  await again.start();
  try {
    await again.caughtUp();
    assert.ok(again.refetchedSkipped >= 120, `refetched records were skipped (${again.refetchedSkipped})`);
    await oracle.assertTablesEqual(db, ['public.nokey', 'public.nokey_full', 'public.pk_nothing']);
  } finally {
    await again.stop();
  }
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, topics, (r) => r.filter((x) => x.value).length >= 50 + 40 + 30 + 4 + 1 + 4);
  const of = (t: string) => records.filter((r) => r.topic === `${prefix}.public.${t}` && r.value);
  assert.ok(of('nokey').every((r) => r.key === null && r.keySchemaId === null), 'no primary key: null Kafka key');
  const fullUpdates = of('nokey_full').filter((r) => r.value!.op === 'u');
  assert.equal(fullUpdates.length, 1 + 4);
  assert.ok(fullUpdates.every((r) => r.key === null && r.value!.before !== null), 'FULL: updates carry the whole old row in before');
  assert.deepEqual(fullUpdates[0]!.value!.before.b, 'y1');
  assert.ok(of('pk_nothing').every((r) => r.key !== null && (r.key as { id: number }).id === r.value!.after.id && r.value!.before === null), 'NOTHING with a primary key: keyed by it, before null');
});
