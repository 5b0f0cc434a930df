import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema } from '../../src/avro/codec.js';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, RegistryDecoder } from '../harness/topics.js';
import { rebuildTable } from '../harness/oracle.js';

const NAME = 'pgcdc_it_snapshot';
const running: RunningConnector[] = [];

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  await dropDatabase(await testServices(), NAME);
});

const ROWS = 30_000;

test('an initial snapshot with concurrent writes converges: topics applied in order equal the source', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL)`);
    await c.query(`CREATE TABLE notes (id int PRIMARY KEY, body text)`);
    await c.query(`INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, ${ROWS}) g`);
    await c.query(`INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 500) g`);
    await c.query(`ANALYZE accounts`);
  });
  const prefix = topicPrefixFor(NAME);
  let writing = true;
  const writer = withClient(db, async (c) => {
    for (let i = 0; writing; i++) {
      await c.query(`UPDATE accounts SET balance = balance + 1 WHERE id = $1`, [1 + ((i * 7919) % ROWS)]);
      if (i % 10 === 0) await c.query(`DELETE FROM accounts WHERE id = $1`, [1 + ((i * 104729) % ROWS)]);
      if (i % 10 === 5) await c.query(`INSERT INTO accounts VALUES ($1, 'late', 0) ON CONFLICT DO NOTHING`, [ROWS + i]);
    }
  });
  // Chunks of the big table are read by four workers from one exported snapshot.
  const r = await startConnector(services, testConnectorConfig(db, services, NAME, { 'snapshot.max.threads': '4', 'snapshot.fetch.size': '1000', 'snapshot.chunk.rows': '4000' }));
  running.push(r);
  await eventually(() => r.connector.streaming !== null, 'the snapshot to complete and streaming to start', 120_000);
  writing = false;
  await writer;
  await withClient(db, (c) => c.query(`INSERT INTO accounts VALUES (0, 'marker', 0)`));

  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.accounts`, `${prefix}.public.notes`], (all) => {
    const last = all[all.length - 1];
    return last.value?.after?.owner === 'marker';
  }, 120_000);
  const accounts = records.filter((x) => x.topic.endsWith('.accounts'));
  const reads = accounts.filter((x) => x.value?.op === 'r');
  assert.ok(reads.length > 0 && reads.length <= ROWS + 1000, `${reads.length} snapshot reads`);
  const rebuilt = rebuildTable(accounts, (row) => String(row.id));
  const source = await withClient(db, (c) => c.query(`SELECT id, owner, balance FROM accounts ORDER BY id`));
  assert.equal(rebuilt.size, source.rowCount, 'the rebuilt table has the same rows as the source');
  for (const row of source.rows) assert.deepEqual(rebuilt.get(String(row.id)), { id: row.id, owner: row.owner, balance: Number(row.balance) }, `row ${row.id}`);

  const notes = records.filter((x) => x.topic.endsWith('.notes'));
  assert.equal(notes.length, 500, 'every note read once');
  const markers = records.filter((x) => x.value?.op === 'r').map((x) => x.value!.source.snapshot);
  assert.equal(markers.filter((m) => m === 'first').length, 1, 'one record marked first');
  assert.equal(markers.filter((m) => m === 'last').length, 1, 'one record marked last');
  assert.equal(markers.filter((m) => !['first', 'first_in_data_collection', 'true', 'last_in_data_collection', 'last'].includes(m)).length, 0);
  const progress = r.connector.snapshotProgress!.toJSON();
  assert.equal(progress.running, false);
  assert.equal(progress.tables_done, 2);
  assert.ok((progress.chunks_total as number) >= 6, `the big table was read in ${progress.chunks_total} chunks`);
  await r.stop();
});

test('a row read by the snapshot and the same row streamed encode identically', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
    await c.query(`CREATE TABLE wide (id int PRIMARY KEY, b bool, i2 int2, i8 int8, f4 float4, f8 float8, n numeric(12,3), nu numeric, m money,
      t text, vc varchar(20), by bytea, u uuid, j jsonb, x xml, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
      e mood, ai int[], at text[], ip inet, bt bit(5), vb varbit, r int4range)`);
    await c.query(`INSERT INTO wide VALUES (1, true, -32768, 9223372036854775807, 1.5, -2.25e-300, 123456789.123, -0.000123, 12.34,
      'héllo ✓', 'v', '\\x00ff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": [1, 2]}', '<a>x</a>', '0001-01-01', '23:59:59.999999',
      '10:00:00+02', '9999-12-31 23:59:59.999999', '2024-02-29 12:00:00.000001+00', '1 year 2 months 3 days 04:05:06.000007',
      'happy', '{{1,2},{3,NULL}}', '{"a,b",NULL,""}', '10.0.0.1/8', B'10101', B'1101', '[1,5)')`);
  });
  const prefix = topicPrefixFor(`${NAME}_enc`);
  const r = await startConnector(services, testConnectorConfig(db, services, `${NAME}_enc`, {}));
  running.push(r);
  await eventually(() => r.connector.streaming !== null, 'streaming to start', 60_000);
  await withClient(db, (c) => c.query(`UPDATE wide SET id = id`));
  const topic = `${prefix}.public.wide`;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (all) => all.some((x) => x.value?.op === 'u'));
  const read = records.find((x) => x.value?.op === 'r')!;
  const update = records.find((x) => x.value?.op === 'u')!;
  assert.equal(read.valueSchemaId, update.valueSchemaId, 'same value schema id');
  assert.equal(read.keySchemaId, update.keySchemaId, 'same key schema id');
  const envelope = (await new RegistryDecoder(services.registryUrl).schemaJson(read.valueSchemaId!)) as { fields: { name: string; type: unknown[] }[] };
  const valueType = compileSchema(envelope.fields.find((f) => f.name === 'before')!.type[1] as Record<string, unknown>);
  const readBytes = valueType.toBuffer(read.value!.after);
  const streamBytes = valueType.toBuffer(update.value!.after);
  assert.ok(readBytes.length > 50);
  assert.equal(readBytes.toString('hex'), streamBytes.toString('hex'), 'the after images are byte-identical');
  await r.stop();
});

test('snapshot modes: no_data reads nothing, initial_only stops after the snapshot, when_needed re-snapshots a lost slot, always re-reads', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)`));
  const reads = async (name: string, until: (n: number) => boolean) => {
    const recs = await readTopics(services.kafkaBrokers, services.registryUrl, [`${topicPrefixFor(name)}.public.t`], (all) => until(all.filter((x) => x.value?.op === 'r').length), 30_000);
    return recs.filter((x) => x.value?.op === 'r').length;
  };

  const noData = await startConnector(services, testConnectorConfig(db, services, `${NAME}_nodata`, { 'snapshot.mode': 'no_data' }));
  running.push(noData);
  await withClient(db, (c) => c.query(`INSERT INTO t VALUES (100)`));
  const nd = await readTopics(services.kafkaBrokers, services.registryUrl, [`${topicPrefixFor(`${NAME}_nodata`)}.public.t`], (all) => all.length >= 1);
  assert.deepEqual(nd.map((x) => x.value?.op), ['c'], 'no_data: only the streamed insert');
  await noData.stop();

  const only = await startConnector(services, testConnectorConfig(db, services, `${NAME}_only`, { 'snapshot.mode': 'initial_only' }));
  running.push(only);
  assert.equal(await reads(`${NAME}_only`, (n) => n >= 11), 11);
  await eventually(() => only.connector.streaming === null && only.connector.snapshotProgress?.running === false, 'initial_only to finish');
  await only.stop();

  const needed = `${NAME}_needed`;
  const wn = await startConnector(services, testConnectorConfig(db, services, needed, { 'snapshot.mode': 'when_needed' }));
  running.push(wn);
  await eventually(() => wn.connector.streaming !== null, 'streaming');
  await wn.stop();
  await withClient(db, (c) => c.query(`SELECT pg_drop_replication_slot($1)`, [needed]));
  const wn2 = await startConnector(services, testConnectorConfig(db, services, needed, { 'snapshot.mode': 'when_needed' }));
  running.push(wn2);
  await eventually(() => wn2.connector.streaming !== null, 'when_needed to snapshot again instead of failing', 60_000);
  assert.equal(await reads(needed, (n) => n >= 22), 22, 'two full snapshots');
  await wn2.stop();

  const always = `${NAME}_always`;
  const a1 = await startConnector(services, testConnectorConfig(db, services, always, { 'snapshot.mode': 'always' }));
  running.push(a1);
  await eventually(() => a1.connector.streaming !== null, 'streaming');
  await a1.stop();
  const a2 = await startConnector(services, testConnectorConfig(db, services, always, { 'snapshot.mode': 'always' }));
  running.push(a2);
  assert.equal(await reads(always, (n) => n >= 22), 22, 'always: a snapshot at every start');
  await a2.stop();
});

test('a table in the include list that does not exist fails before anything is created', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const name = `${NAME}_missing`;
  const r = await startConnector(services, testConnectorConfig(db, services, name, { 'table.include.list': 'public.nope' }));
  running.push(r);
  assert.equal(r.connector.state, 'FAILED');
  assert.match(r.connector.trace ?? '', /public\.nope/);
  const slots = await withClient(db, (c) => c.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [name]));
  const pubs = await withClient(db, (c) => c.query(`SELECT 1 FROM pg_publication WHERE pubname = $1`, [`${name}_pub`]));
  assert.equal(slots.rowCount, 0, 'no slot created');
  assert.equal(pubs.rowCount, 0, 'no publication created');
});
