// Guarantee: DDL while streaming never stops the flow or loses a change. Adding a column (also when
// no row changes after it), dropping one, renaming one and widening a column's type each bring a
// new value schema version with the next change (where Debezium registers one), and the copy the
// reference loader keeps equals the source over the source's current columns. A rename reaches a
// loader as drop + add: rows not changed since the rename have NULL in the new column in the copy
// (shown below) until they change.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';

const NAME = 'pgcdc_it_fault_ddl';
let running: RunningConnector | undefined;
let oracle: PgOracle | undefined;

after(async () => {
  await running?.stop();
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

test('add, drop, rename and retype columns while streaming: events keep flowing, the copy follows', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const sql = (text: string) => withClient(db, (c) => c.query(text));
  await sql(`CREATE TABLE items (id int PRIMARY KEY, a text, b int, label varchar(10))`);
  // schema.change.policy=allow: every DDL registered as the registry accepts it (no pause at the rename)
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'schema.change.policy': 'allow' }));
  const prefix = topicPrefixFor(NAME);
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: prefix });
  const table = ['public.items'];
  const versions = async () => ((await (await fetch(`${services.registryUrl}/subjects/${prefix}.public.items-value/versions`)).json()) as number[]).length;

  await sql(`INSERT INTO items SELECT g, 'a' || g, g, 'l' FROM generate_series(1, 200) g`);
  await oracle.converge(db, table);
  assert.equal(await versions(), 1);

  // add a column, no row changes after it: no event, no new version; the copy still equals the source
  await sql(`ALTER TABLE items ADD COLUMN c int`);
  await oracle.converge(db, table);
  assert.equal(await versions(), 1, 'no change, no new schema version');
  // ... then rows change: a new version with c, the copy gains the column
  await sql(`UPDATE items SET c = id * 2 WHERE id % 2 = 0`);
  await sql(`INSERT INTO items VALUES (201, 'new', 1, 'l', 5)`);
  await oracle.converge(db, table);
  assert.equal(await versions(), 2, 'ADD COLUMN registered a version');

  // drop a column: the copy keeps it (old values), the comparison is over the source's columns
  await sql(`ALTER TABLE items DROP COLUMN a`);
  await sql(`UPDATE items SET b = b + 1 WHERE id <= 50`);
  await sql(`DELETE FROM items WHERE id BETWEEN 51 AND 60`);
  await oracle.converge(db, table);
  assert.equal(await versions(), 3, 'DROP COLUMN registered a version');

  // rename: the copy gets b2, NULL in rows not changed since
  await sql(`ALTER TABLE items RENAME COLUMN b TO b2`);
  await sql(`UPDATE items SET label = 'r' WHERE id = 1`);
  const copyHas = (col: string) => withClient(oracle!.copyDb, async (c) => (await c.query(`SELECT 1 FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attname = $1 AND NOT attisdropped`, [col])).rowCount === 1);
  await eventually(() => copyHas('b2'), 'the renamed column to reach the copy');
  await oracle.caughtUp();
  await assert.rejects(oracle.assertTablesEqual(db, table), /public\.items: copy differs/, 'untouched rows lack the renamed column in the copy');
  const stale = await withClient(oracle.copyDb, (c) => c.query(`SELECT b2, b FROM public.items WHERE id = 2`));
  assert.deepEqual(stale.rows[0], { b2: null, b: 3 }, 'the copy: new column NULL, old column keeps the value');
  await sql(`UPDATE items SET label = 'r'`);
  await oracle.converge(db, table);
  assert.equal(await versions(), 4, 'RENAME registered a version');

  // widen types: int -> bigint (a new version, BACKWARD compatible), varchar(10) -> varchar(50) (same Avro schema)
  await sql(`ALTER TABLE items ALTER COLUMN c TYPE bigint, ALTER COLUMN label TYPE varchar(50)`);
  await sql(`UPDATE items SET c = 5000000000 + id, label = repeat('w', 40) WHERE id % 3 = 0`);
  await oracle.converge(db, table);
  assert.equal(await versions(), 5, 'the type change registered a version');
  const copyType = await withClient(oracle.copyDb, (c) => c.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'public.items'::regclass AND attname = 'c'`));
  assert.equal(copyType.rows[0].t, 'bigint', 'the copy column was widened with the schema');
  assert.equal(running.connector.state, 'RUNNING', running.connector.trace ?? '');
});
