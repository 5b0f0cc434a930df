import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openKafka } from '../../src/kafka/client.js';
import { validateConnectorConfig } from '../../src/config/index.js';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { untilSafeToStop } from '../../src/worker/stop-guard.js';

/**
 * Issue 13 item 6/7/10: every one of these is refused before anything exists (no slot, no
 * publication, no topic for the prefix), with a message naming the setting, table or column.
 */
const BASE = 'pgcdc_it_refuse';
const databases: string[] = [];
const running: RunningConnector[] = [];
const ROLE = `pgcdc_it_noselect_${process.pid}`;

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  const services = await testServices();
  for (const d of databases) await dropDatabase(services, d);
  await withClient(services.pg, (c) => c.query(`DROP ROLE IF EXISTS ${ROLE}`));
});

async function topicsWithPrefix(services: TestServices, prefix: string): Promise<string[]> {
  return (await openKafka({ clientId: 'pgcdc-test-topics', brokers: services.kafkaBrokers }).listTopics()).filter((t) => t.startsWith(prefix));
}

/** Starts the connector, expects FAILED with `trace` matching, and nothing created. */
async function expectRefused(name: string, setup: string[], overrides: Record<string, unknown>, trace: RegExp[], opts: { slotPreexists?: boolean; dbUser?: string } = {}): Promise<void> {
  const services = await testServices();
  const db = await freshDatabase(services, name);
  databases.push(name);
  await withClient(db, async (c) => {
    for (const sql of setup) await c.query(sql);
  });
  const raw = testConnectorConfig(opts.dbUser ? { ...db, user: opts.dbUser } : db, services, name, overrides);
  const r = await startConnector(services, raw);
  running.push(r);
  await eventually(() => r.connector.state === 'FAILED', `${name} to fail`, 20_000);
  for (const re of trace) assert.match(r.connector.trace ?? '', re);
  const slots = await withClient(db, (c) => c.query(`SELECT plugin FROM pg_replication_slots WHERE slot_name = $1`, [raw['slot.name']]));
  assert.equal(slots.rowCount, opts.slotPreexists ? 1 : 0, 'no slot created');
  if (opts.slotPreexists) assert.equal(slots.rows[0].plugin, 'test_decoding', 'the existing slot is left as it was');
  const pubs = await withClient(db, (c) => c.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [raw['publication.name']]));
  assert.equal(pubs.rowCount, 0, 'no publication created');
  assert.deepEqual(await topicsWithPrefix(services, String(raw['topic.prefix'])), [], 'no topic created');
}

test('an existing slot of another plugin is refused naming slot.name and the plugin, before the snapshot', async () => {
  const name = `${BASE}_plugin`;
  await expectRefused(name, [
    'CREATE TABLE t (id int PRIMARY KEY)',
    'INSERT INTO t VALUES (1), (2)',
    `SELECT pg_create_logical_replication_slot('${name}', 'test_decoding')`,
  ], {}, [/slot\.name "pgcdc_it_refuse_plugin"/, /test_decoding/], { slotPreexists: true });
});

test('a table the user cannot SELECT is refused naming the table and the grant', async () => {
  const services = await testServices();
  await withClient(services.pg, (c) => c.query(`DROP ROLE IF EXISTS ${ROLE}; CREATE ROLE ${ROLE} LOGIN REPLICATION`));
  const name = `${BASE}_grant`;
  await expectRefused(name, [
    'CREATE TABLE readable (id int PRIMARY KEY)',
    'CREATE TABLE secret (id int PRIMARY KEY)',
    `GRANT SELECT ON readable TO ${ROLE}`,
    `GRANT CREATE ON DATABASE ${name} TO ${ROLE}`,
  ], {}, [/lacks SELECT on public\.secret/, new RegExp(`GRANT SELECT ON "public"\\."secret" TO "${ROLE}"`)], { dbUser: ROLE });
  await withClient(services.pg, (c) => c.query(`DROP OWNED BY ${ROLE}`).catch(() => {}));
});

test('publication.name and slot.name that PostgreSQL would fold or split are refused by validation', async () => {
  const services = await testServices();
  const db = { ...services.pg, database: 'x' };
  for (const bad of ['MyPub', 'a,b', 'a b', "a'b", 'a"b']) {
    const { config, errors } = validateConnectorConfig(testConnectorConfig(db, services, 'pgcdc_it_refuse_names', { 'publication.name': bad }));
    assert.equal(config, undefined, `publication.name=${bad} refused`);
    assert.ok(errors.some((e) => e.key === 'publication.name' && /a-z 0-9 _/.test(e.message)), JSON.stringify(errors));
  }
  for (const bad of ['MySlot', 'a-b', 'x'.repeat(64)]) {
    const { errors } = validateConnectorConfig(testConnectorConfig(db, services, 'pgcdc_it_refuse_names', { 'slot.name': bad }));
    assert.ok(errors.some((e) => e.key === 'slot.name'), `slot.name=${bad} refused`);
  }
});

test('a topic.prefix making a topic longer than 249 characters is refused naming topic.prefix and the table', async () => {
  const name = `${BASE}_long`;
  const prefix = `${topicPrefixFor(name)}_${'p'.repeat(230)}`;
  await expectRefused(name, ['CREATE TABLE a_rather_long_table_name (id int PRIMARY KEY)'], { 'topic.prefix': prefix.slice(0, 245) },
    [/topic\.prefix/, /public\.a_rather_long_table_name/, /Kafka allows 249/]);
});

test('two tables whose topics differ only by characters Kafka does not allow are refused naming both', async () => {
  const name = `${BASE}_space`;
  await expectRefused(name, ['CREATE TABLE "space table" (id int PRIMARY KEY)', 'CREATE TABLE space_table (id int PRIMARY KEY)'], {},
    [/"public\.space table"/, /"public\.space_table"/, /share the topic/]);
});

test('two non-ASCII column names that become one Avro field are refused naming both columns', async () => {
  const name = `${BASE}_fields`;
  await expectRefused(name, ['CREATE TABLE maße (id int PRIMARY KEY, "größe" int, "grüße" text)'], {},
    [/columns "größe" and "grüße" both become the Avro field "gr__e"/, /column\.exclude\.list/]);
});

test('one such column alone streams under its adjusted name (Debezium field.name.adjustment.mode=avro)', async () => {
  const services = await testServices();
  const name = `${BASE}_field1`;
  const db = await freshDatabase(services, name);
  databases.push(name);
  await withClient(db, (c) => c.query('CREATE TABLE maße (id int PRIMARY KEY, "größe" int, "grüße" text)'));
  const r = await startConnector(services, testConnectorConfig(db, services, name, { 'snapshot.mode': 'no_data', 'column.exclude.list': 'public.maße.grüße' }));
  running.push(r);
  assert.equal(r.connector.state, 'RUNNING', r.connector.trace ?? '');
  await withClient(db, (c) => c.query(`INSERT INTO maße VALUES (1, 42, 'x')`));
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [`${topicPrefixFor(name)}.public.ma_e`], (all) => all.length >= 1);
  assert.equal(records[0].value?.after?.gr__e, 42);
});

test('an existing publication pgcdc did not create is never narrowed: missing tables are refused by name, extra ones stay', async () => {
  const services = await testServices();
  const name = `${BASE}_foreign`;
  const db = await freshDatabase(services, name);
  databases.push(name);
  const pub = `${name}_pub`;
  await withClient(db, async (c) => {
    await c.query('CREATE TABLE theirs (id int PRIMARY KEY)');
    await c.query('CREATE TABLE mine (id int PRIMARY KEY)');
    await c.query('CREATE TABLE mine2 (id int PRIMARY KEY)');
    await c.query(`CREATE PUBLICATION ${pub} FOR TABLE theirs, mine`);
  });
  const inPub = () => withClient(db, async (c) => (await c.query(`SELECT tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1`, [pub])).rows.map((r) => r.tablename));

  const refused = await startConnector(services, testConnectorConfig(db, services, name, { 'table.include.list': 'public.mine,public.mine2' }));
  running.push(refused);
  assert.equal(refused.connector.state, 'FAILED');
  assert.match(refused.connector.trace ?? '', /pgcdc did not create, and it lacks "public\.mine2"/);
  assert.match(refused.connector.trace ?? '', /ALTER PUBLICATION "pgcdc_it_refuse_foreign_pub" ADD TABLE "public"\."mine2"/);
  assert.deepEqual(await inPub(), ['mine', 'theirs']);
  assert.equal((await withClient(db, (c) => c.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [name]))).rowCount, 0, 'no slot');
  await refused.stop();

  // Every captured table present: used as is, the other consumer's table stays.
  const ok = await startConnector(services, testConnectorConfig(db, services, name, { 'table.include.list': 'public.mine', 'snapshot.mode': 'no_data' }));
  running.push(ok);
  assert.equal(ok.connector.state, 'RUNNING', ok.connector.trace ?? '');
  await withClient(db, (c) => c.query('INSERT INTO mine VALUES (7)'));
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [`${topicPrefixFor(name)}.public.mine`], (all) => all.length >= 1);
  assert.equal(records[0].value?.after?.id, 7);
  assert.deepEqual(await inPub(), ['mine', 'theirs']);
});

test('a publication pgcdc created carries its marker and follows table.include.list', async () => {
  const services = await testServices();
  const name = `${BASE}_own`;
  const db = await freshDatabase(services, name);
  databases.push(name);
  await withClient(db, (c) => c.query('CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY)'));
  const first = await startConnector(services, testConnectorConfig(db, services, name, { 'table.include.list': 'public.a', 'snapshot.mode': 'no_data' }));
  await untilSafeToStop(first.connector);
  await first.stop();
  const second = await startConnector(services, testConnectorConfig(db, services, name, { 'table.include.list': 'public.a,public.b', 'snapshot.mode': 'no_data' }));
  running.push(second);
  assert.equal(second.connector.state, 'RUNNING', second.connector.trace ?? '');
  const rows = await withClient(db, (c) => c.query(`SELECT obj_description(p.oid, 'pg_publication') AS comment, (SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_publication_tables t WHERE t.pubname = p.pubname) AS tables FROM pg_publication p WHERE pubname = $1`, [`${name}_pub`]));
  assert.equal(rows.rows[0].comment, 'created by pgcdc');
  assert.deepEqual(rows.rows[0].tables, ['a', 'b']);
});
