import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect, isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics, type DecodedRecord } from '../harness/topics.js';
import {
  ARRAYS, CIRCLE_SCHEMA, createTableSql, DECIMALS, ENUMS, GEO, GEO_DDL, GEOMETRY_SCHEMA, HSTORE_MAP_CASE, insertSql, LINE_SCHEMA, POINT_SCHEMA,
  rowCount, SCALARS, TYPE_DDL, VSD_SCHEMA, type TableCase,
} from './types-cases.js';

/**
 * Every PostgreSQL type pgcdc maps, value by value, streamed through pgoutput into Kafka and decoded
 * through the schema registry, against literal expectations (see types-cases.ts). Also: unchanged
 * TOASTed values under REPLICA IDENTITY DEFAULT and FULL, key-less tables, and the decimal handling
 * modes around NaN/Infinity (precise writes null where the column allows it and fails a NOT NULL
 * column, string and double carry them).
 */

const NAME = 'pgcdc_it_types';
const ENUM_NAME = 'pgcdc_it_types_enum';
const STRING_NAME = 'pgcdc_it_types_str';
const DOUBLE_NAME = 'pgcdc_it_types_dbl';
const NAN_NAME = 'pgcdc_it_types_nan';
const GEO_NAME = 'pgcdc_it_types_geo';
const HMAP_NAME = 'pgcdc_it_types_hmap';
/** the geometric/hstore case, inserted before its connector starts: read by the initial snapshot */
const GEO_SNAP: TableCase = { ...GEO, table: 'geo_snap' };
const PLACEHOLDER = '__debezium_unavailable_value';
const MAIN_TABLES = ['scalars', 'arrays', 'toast_default', 'toast_full', 'toast_arrays', 'nopk_full', 'nopk_default'];

let services: TestServices;
let db: pg.ClientConfig;
const connectors: RunningConnector[] = [];
let main: RunningConnector;
let enums: RunningConnector;
let strings: RunningConnector;
let doubles: RunningConnector;
let geo: RunningConnector;
let hmap: RunningConnector;

const topicOf = (name: string, table: string) => `${topicPrefixFor(name)}.public.${table}`;
const recordsOf = (records: DecodedRecord[], table: string, name = NAME) => records.filter((r) => r.topic === topicOf(name, table));

/**
 * readTopics, but failing at once with the connector's trace when the connector FAILS (a type it
 * cannot handle would otherwise show up only as a time-out).
 */
async function readOrFail(running: RunningConnector, topics: string[], until: (r: DecodedRecord[]) => boolean): Promise<DecodedRecord[]> {
  let done = false;
  const reading = readTopics(services.kafkaBrokers, services.registryUrl, topics, until, 30_000);
  reading.catch(() => {});
  const failed = (async (): Promise<never> => {
    for (;;) {
      if (running.connector.state === 'FAILED') throw new Error(`connector ${running.connector.config.name} FAILED: ${running.connector.trace}`);
      if (done) return new Promise<never>(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return await Promise.race([reading, failed]);
  } finally {
    done = true;
  }
}

const MAIN_COUNTS: Record<string, number> = { scalars: rowCount(SCALARS), arrays: rowCount(ARRAYS), toast_default: 3, toast_full: 2, toast_arrays: 2, nopk_full: 3, nopk_default: 1 };
let mainRead: Promise<DecodedRecord[]> | undefined;
/** The main connector's events, read once (after before() made every change). */
function mainRecords(): Promise<DecodedRecord[]> {
  mainRead ??= readOrFail(main, MAIN_TABLES.map((t) => topicOf(NAME, t)), (records) =>
    Object.entries(MAIN_COUNTS).every(([t, n]) => recordsOf(records, t).filter((r) => r.value !== null).length >= n),
  );
  return mainRead;
}

/** Deterministic pseudo-random source (mulberry32), so the TOASTed values are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` code points drawn from ASCII and a few multi-byte characters: pglz cannot shrink it below the TOAST threshold. */
function randomText(seed: number, length: number): string {
  const alphabet = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:!?-_+*/()[]{}<>=@#$%&éüß日本語🎉');
  const next = prng(seed);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

function randomBytes(seed: number, length: number): Buffer {
  const next = prng(seed);
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(next() * 256);
  return b;
}

const BIG = randomText(1, 100_000);
const BIG_2 = randomText(2, 100_000);
const BIG_ARRAY_ITEM = randomText(3, 30_000);
const BIN = randomBytes(4, 100_000);
const INTS = ((next) => Array.from({ length: 40_000 }, () => Math.floor(next() * 4294967296) - 2147483648))(prng(5));
const LONGS = ((next) => Array.from({ length: 20_000 }, () => Math.floor(next() * 2 ** 53) - 2 ** 52))(prng(6));
const DATE_DAYS = ((next) => Array.from({ length: 40_000 }, () => Math.floor(next() * 2932897)))(prng(7));
/** yyyy-mm-dd of a day count, via the JavaScript Date (years 1970-9999 only) */
const isoDay = (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10);

/** deepStrictEqual that names the value and keeps 100 kB strings out of the message. */
function same(actual: unknown, expected: unknown, what: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const show = (v: unknown) => (typeof v === 'string' && v.length > 200 ? `<string of ${v.length} chars: ${JSON.stringify(v.slice(0, 40))}...>` : inspect(v, { depth: 5, maxStringLength: 200 }));
  assert.fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

async function latestSchema(subject: string): Promise<{ status: number; schema: any }> {
  const res = await fetch(`${services.registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`);
  if (!res.ok) return { status: res.status, schema: null };
  const body = (await res.json()) as { schema: string };
  return { status: res.status, schema: JSON.parse(body.schema) };
}

/** The Value record inside a registered Envelope: the non-null branch of `before`. */
function valueRecordOf(envelope: any): any {
  const before = envelope.fields.find((f: any) => f.name === 'before');
  return before.type.find((t: unknown) => t !== 'null');
}

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    for (const ddl of TYPE_DDL) await c.query(ddl);
    await c.query(createTableSql(SCALARS));
    await c.query(createTableSql(ARRAYS));
    await c.query(createTableSql(ENUMS));
    await c.query(`CREATE TABLE toast_default (id int PRIMARY KEY, note text, big text, bin bytea, arr text[])`);
    await c.query(`CREATE TABLE toast_full (id int PRIMARY KEY, note text, big text, bin bytea, arr text[])`);
    await c.query(`ALTER TABLE toast_full REPLICA IDENTITY FULL`);
    await c.query(`CREATE TABLE toast_arrays (id int PRIMARY KEY, note text, ints int4[], longs int8[], dates date[])`);
    await c.query(`CREATE TABLE nopk_full (a int, b text)`);
    await c.query(`ALTER TABLE nopk_full REPLICA IDENTITY FULL`);
    await c.query(`CREATE TABLE nopk_default (a int, b text)`);
    await c.query(DECIMALS.ddl);
    await c.query(`CREATE TABLE nan_precise (id int PRIMARY KEY, amount numeric NOT NULL)`);
    for (const ddl of GEO_DDL) await c.query(ddl);
    await c.query(createTableSql(GEO));
    await c.query(createTableSql(GEO_SNAP));
    await c.query(createTableSql(HSTORE_MAP_CASE));
    await c.query(`CREATE TABLE geo_nn (id int PRIMARY KEY, p point NOT NULL, c circle NOT NULL, l line NOT NULL, b box NOT NULL, h hstore NOT NULL)`);
    for (const sql of insertSql(GEO_SNAP)) await c.query(sql);
    await c.query(`CREATE TABLE geo_toast (id int PRIMARY KEY, note text, h hstore)`);
    await c.query(`CREATE TABLE geo_hmap_toast (id int PRIMARY KEY, note text, h hstore)`);
  });

  const include = (tables: string[]) => ({ 'table.include.list': tables.map((t) => `public\\.${t}`).join(',') });
  const started = await Promise.all([
    startConnector(services, testConnectorConfig(db, services, NAME, include(MAIN_TABLES))),
    startConnector(services, testConnectorConfig(db, services, ENUM_NAME, include(['enums']))),
    startConnector(services, testConnectorConfig(db, services, STRING_NAME, { ...include(['decimals']), 'decimal.handling.mode': 'string' })),
    startConnector(services, testConnectorConfig(db, services, DOUBLE_NAME, { ...include(['decimals']), 'decimal.handling.mode': 'double' })),
    startConnector(services, testConnectorConfig(db, services, GEO_NAME, include(['geo', 'geo_snap', 'geo_nn', 'geo_toast']))),
    startConnector(services, testConnectorConfig(db, services, HMAP_NAME, { ...include(['geo_hmap', 'geo_hmap_toast']), 'hstore.handling.mode': 'map' })),
  ]);
  connectors.push(...started);
  for (const r of started) assert.equal(r.connector.state, 'RUNNING', `${r.connector.config.name}: ${r.connector.trace ?? ''}`);
  [main, enums, strings, doubles, geo, hmap] = started;

  // Every change is made after the connectors started: it reaches Kafka through pgoutput, not a snapshot.
  await withClient(db, async (c) => {
    for (const sql of insertSql(SCALARS)) await c.query(sql);
    for (const sql of insertSql(ARRAYS)) await c.query(sql);
    for (const sql of insertSql(ENUMS)) await c.query(sql);

    for (const table of ['toast_default', 'toast_full']) {
      await c.query(`INSERT INTO ${table} VALUES (1, 'first', $1, $2, ARRAY[$3::text])`, [BIG, BIN, BIG_ARRAY_ITEM]);
      await c.query(`UPDATE ${table} SET note = 'second' WHERE id = 1`);
    }
    await c.query(`UPDATE toast_default SET big = $1 WHERE id = 1`, [BIG_2]);
    await c.query(`INSERT INTO toast_arrays VALUES (1, 'first', $1::int4[], $2::int8[], $3::date[])`, [INTS, LONGS, DATE_DAYS.map(isoDay)]);
    await c.query(`UPDATE toast_arrays SET note = 'second' WHERE id = 1`);

    await c.query(`INSERT INTO nopk_full VALUES (1, 'x')`);
    await c.query(`UPDATE nopk_full SET b = 'y' WHERE a = 1`);
    await c.query(`DELETE FROM nopk_full WHERE a = 1`);
    await c.query(`INSERT INTO nopk_default VALUES (1, 'only')`);

    for (const sql of DECIMALS.rows) await c.query(sql);

    for (const sql of insertSql(GEO)) await c.query(sql);
    for (const sql of insertSql(HSTORE_MAP_CASE)) await c.query(sql);
    await c.query(`INSERT INTO geo_nn VALUES (1, '(1,2)', '<(1,2),3>', '{1,-1,0}', '(1,1),(0,0)', '"k"=>"v"')`);
    await c.query(`DELETE FROM geo_nn WHERE id = 1`);
    for (const table of ['geo_toast', 'geo_hmap_toast']) {
      await c.query(`INSERT INTO ${table} VALUES (1, 'first', hstore('big', $1))`, [BIG]);
      await c.query(`UPDATE ${table} SET note = 'second' WHERE id = 1`);
    }
  });
});

after(async () => {
  for (const r of connectors) await r.stop().catch(() => {});
  await dropDatabase(await testServices(), NAME);
});

/** Compares every column of every row of a table case with its literal expectation; reports all mismatches. */
function checkTable(t: TableCase, all: DecodedRecord[], name = NAME, op: 'c' | 'r' = 'c'): void {
  const records = recordsOf(all, t.table, name);
  const creates = records.filter((r) => r.value?.op === op);
  assert.equal(creates.length, rowCount(t), `${t.table}: one ${op} event per inserted row`);
  assert.equal(records.length, creates.length, `${t.table}: nothing but ${op} events`);
  const failures: string[] = [];
  let checked = 0;
  for (let i = 0; i < rowCount(t); i++) {
    const id = i + 1;
    const rec = creates.find((r) => r.value!.after.id === id);
    if (!rec) {
      failures.push(`row ${id}: no event`);
      continue;
    }
    assert.deepEqual(rec.key, { id }, `${t.table} row ${id}: key`);
    assert.equal(rec.value!.before, null);
    const after = rec.value!.after;
    assert.deepEqual(Object.keys(after), ['id', ...t.columns.map((c) => c.column)], `${t.table}: after carries every column in table order`);
    for (const c of t.columns) {
      const [sql, expected] = c.values[i] ?? ['NULL', null];
      checked++;
      if (!isDeepStrictEqual(after[c.column], expected)) {
        failures.push(`row ${id} ${c.column} ${c.type} ${sql}: expected ${inspect(expected)}, got ${inspect(after[c.column])}`);
      }
    }
  }
  assert.equal(checked, rowCount(t) * t.columns.length, 'the case table was walked');
  if (failures.length > 0) assert.fail(`${t.table}: ${failures.length} of ${checked} values differ:\n${failures.join('\n')}`);
}

/** The registered value and key schemas of a table case: every column's Avro type, optional as ["null", ...]. */
async function checkSchemas(t: TableCase, name = NAME): Promise<any> {
  const topic = topicOf(name, t.table);
  const { status, schema: envelope } = await latestSchema(`${topic}-value`);
  assert.equal(status, 200, `${topic}-value is registered`);
  assert.equal(envelope.type, 'record');
  assert.equal(envelope['connect.name'], `${topic}.Envelope`);
  const value = valueRecordOf(envelope);
  assert.equal(value['connect.name'], `${topic}.Value`);
  assert.deepEqual(value.fields.map((f: any) => f.name), ['id', ...t.columns.map((c) => c.column)]);
  assert.deepEqual(value.fields[0], { name: 'id', type: 'int' }, 'the primary key is not optional');
  const failures: string[] = [];
  for (const c of t.columns) {
    const field = value.fields.find((f: any) => f.name === c.column);
    const expected = { name: c.column, type: ['null', c.schema], default: null };
    if (!isDeepStrictEqual(field, expected)) failures.push(`${c.column} ${c.type}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(field)}`);
  }
  if (failures.length > 0) assert.fail(`${t.table}: ${failures.length} column schemas differ:\n${failures.join('\n')}`);

  const key = await latestSchema(`${topic}-key`);
  assert.equal(key.status, 200, `${topic}-key is registered`);
  assert.deepEqual(key.schema.fields, [{ name: 'id', type: 'int' }]);
  assert.equal(key.schema['connect.name'], `${topic}.Key`);
  return value;
}

test('scalar types: every value, with edge values, decodes as Debezium represents it', async () => {
  checkTable(SCALARS, await mainRecords());
});

test('array types: element values, NULL elements, empty, multi-dimensional and lower-bound arrays', async () => {
  checkTable(ARRAYS, await mainRecords());
});

test('enums, enum arrays and domains over enums: io.debezium.data.Enum strings with the allowed labels', async () => {
  const records = await readOrFail(enums, [topicOf(ENUM_NAME, 'enums')], (r) => r.length >= rowCount(ENUMS));
  checkTable(ENUMS, records, ENUM_NAME);
  await checkSchemas(ENUMS, ENUM_NAME);
});

test('the registered value schema gives every column its Debezium type, optional as ["null", ...]', async () => {
  await mainRecords(); // the schemas are registered with the first events
  await checkSchemas(SCALARS);
  const arraysValue = await checkSchemas(ARRAYS);
  // VariableScaleDecimal is defined once (in a_nu's items) and referred to by name afterwards (nu2)
  const aNu = arraysValue.fields.find((f: any) => f.name === 'a_nu');
  assert.deepEqual(aNu.type[1].items[1], VSD_SCHEMA);
});

test('large TOASTed values: placeholder when unchanged under REPLICA IDENTITY DEFAULT, real values under FULL', async () => {
  const all = await mainRecords();
  const def = recordsOf(all, 'toast_default').filter((r) => r.value !== null);
  same(def.map((r) => r.value!.op), ['c', 'u', 'u'], 'toast_default ops');
  const [insert, noteUpdate, bigUpdate] = def;
  same(insert.value!.after, { id: 1, note: 'first', big: BIG, bin: BIN, arr: [BIG_ARRAY_ITEM] }, 'insert carries the 100 kB values');
  same(noteUpdate.value!.before, null, 'identity DEFAULT: no before image');
  same(noteUpdate.value!.after, { id: 1, note: 'second', big: PLACEHOLDER, bin: Buffer.from(PLACEHOLDER), arr: [PLACEHOLDER] }, 'unchanged TOASTed text, bytea and text[] are placeholders');
  same(bigUpdate.value!.after, { id: 1, note: 'second', big: BIG_2, bin: Buffer.from(PLACEHOLDER), arr: [PLACEHOLDER] }, 'the changed TOASTed column carries its new value');

  const full = recordsOf(all, 'toast_full').filter((r) => r.value !== null);
  same(full.map((r) => r.value!.op), ['c', 'u'], 'toast_full ops');
  same(full[1].value!.before, { id: 1, note: 'first', big: BIG, bin: BIN, arr: [BIG_ARRAY_ITEM] }, 'identity FULL: the whole old row');
  same(full[1].value!.after, { id: 1, note: 'second', big: BIG, bin: BIN, arr: [BIG_ARRAY_ITEM] }, 'identity FULL: unchanged TOASTed values are the real ones');
  const text = JSON.stringify(full.map((r) => r.value), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  assert.ok(!text.includes(PLACEHOLDER), 'no placeholder anywhere under FULL');
});

test('unchanged TOASTed int4[], int8[] and date[] carry Debezium\'s placeholder: its bytes as numbers', async () => {
  const records = recordsOf(await mainRecords(), 'toast_arrays').filter((r) => r.value !== null);
  same(records.map((r) => r.value!.op), ['c', 'u'], 'toast_arrays ops');
  same(records[0].value!.after, { id: 1, note: 'first', ints: INTS, longs: LONGS, dates: DATE_DAYS }, 'insert carries the large arrays');
  // Debezium's UnchangedToastedPlaceholder: int4[] and date[] (UNCHANGED_INT_ARRAY_TOAST_VALUE) and
  // int8[] (UNCHANGED_BIGINT_ARRAY_TOAST_VALUE) become the placeholder's bytes, one number per byte
  const bytes = Array.from(Buffer.from(PLACEHOLDER));
  same(records[1].value!.after, { id: 1, note: 'second', ints: bytes, longs: bytes, dates: bytes }, 'update after');
});

test('tables without a primary key: events with a null key, the connector keeps running', async () => {
  const all = await mainRecords();
  const full = recordsOf(all, 'nopk_full').filter((r) => r.value !== null);
  same(full.map((r) => r.value!.op), ['c', 'u', 'd'], 'nopk_full ops');
  for (const r of full) {
    same(r.key, null, `${r.value!.op} key`);
    same(r.keySchemaId, null, `${r.value!.op} has no key schema`);
  }
  same(full[0].value!.after, { a: 1, b: 'x' }, 'insert');
  same(full[1].value!.before, { a: 1, b: 'x' }, 'update before (identity FULL)');
  same(full[1].value!.after, { a: 1, b: 'y' }, 'update after');
  same(full[2].value!.before, { a: 1, b: 'y' }, 'delete before');
  same(full[2].value!.after, null, 'delete after');
  const def = recordsOf(all, 'nopk_default');
  same(def.map((r) => [r.key, r.value?.op, r.value?.after]), [[null, 'c', { a: 1, b: 'only' }]], 'nopk_default insert');

  const key = await latestSchema(`${topicOf(NAME, 'nopk_full')}-key`);
  assert.equal(key.status, 404, 'no key subject is registered for a key-less table');
  assert.equal(main.connector.state, 'RUNNING', main.connector.trace ?? '');
});

for (const mode of ['string', 'double'] as const) {
  test(`decimal.handling.mode=${mode}: NaN, ±Infinity and large numerics are carried`, async () => {
    const name = mode === 'string' ? STRING_NAME : DOUBLE_NAME;
    const topic = topicOf(name, 'decimals');
    const running = mode === 'string' ? strings : doubles;
    const records = await readOrFail(running, [topic], (r) => r.length >= DECIMALS.rows.length);
    same(records.map((r) => r.value?.op), DECIMALS.rows.map(() => 'c'), 'one create per row');
    same(records.map((r) => r.value!.after), DECIMALS[mode], `${mode} values`);

    const value = valueRecordOf((await latestSchema(`${topic}-value`)).schema);
    const primitive = mode === 'string' ? 'string' : 'double';
    same(
      value.fields.map((f: any) => [f.name, f.type]),
      [['id', 'int'], ['nu', ['null', primitive]], ['n', ['null', primitive]], ['m', ['null', primitive]], ['nbig', ['null', primitive]], ['a_nu', ['null', { type: 'array', items: ['null', primitive] }]]],
      `${mode} value schema`,
    );
  });
}

test('decimal.handling.mode=precise: NaN in a NOT NULL unconstrained numeric FAILS the connector, naming table and column', async () => {
  const running = await startConnector(services, testConnectorConfig(db, services, NAN_NAME, { 'table.include.list': 'public\\.nan_precise' }));
  connectors.push(running);
  assert.equal(running.connector.state, 'RUNNING', running.connector.trace ?? '');
  // RUNNING is reported while the initial snapshot starts; the slot exists once streaming does.
  await eventually(() => running.connector.streaming !== null, `connector ${NAN_NAME} to stream`);
  const lsnBefore = await withClient(db, async (c) => {
    const r = await c.query(`SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS pos`);
    await c.query(`INSERT INTO nan_precise VALUES (1, 'NaN')`);
    return BigInt(r.rows[0].pos);
  });
  await eventually(() => running.connector.state === 'FAILED', `connector ${NAN_NAME} to fail`);
  const trace = running.connector.trace ?? '';
  assert.match(trace, /public\.nan_precise/, `trace names the table: ${trace}`);
  assert.match(trace, /\bamount\b/, `trace names the column: ${trace}`);
  assert.match(trace, /NaN/, `trace names the value: ${trace}`);
  assert.match(trace, /decimal\.handling\.mode=(string|double)/, `trace gives the remedy: ${trace}`);
  // it stays failed (a conversion error is not retried) and the slot was not confirmed past the row
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(running.connector.state, 'FAILED');
  const slot = await withClient(db, (c) => c.query(`SELECT (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [NAN_NAME]));
  assert.ok(BigInt(slot.rows[0].pos) <= lsnBefore, 'the failed row is not confirmed: it is read again after a fix');
});

let geoRead: Promise<DecodedRecord[]> | undefined;
/** The geometric/hstore connector's events: geo streamed, geo_snap snapshotted, geo_nn's insert, delete and tombstone. */
function geoRecords(): Promise<DecodedRecord[]> {
  geoRead ??= readOrFail(geo, ['geo', 'geo_snap', 'geo_nn', 'geo_toast'].map((t) => topicOf(GEO_NAME, t)), (records) =>
    recordsOf(records, 'geo', GEO_NAME).length >= rowCount(GEO) &&
    recordsOf(records, 'geo_snap', GEO_NAME).length >= rowCount(GEO_SNAP) &&
    recordsOf(records, 'geo_nn', GEO_NAME).length >= 3 &&
    recordsOf(records, 'geo_toast', GEO_NAME).length >= 2,
  );
  return geoRead;
}

test('geometric types and hstore, streamed: Point, Geometry (WKB + extensions), Circle, Line, Json; arrays of them', async () => {
  checkTable(GEO, await geoRecords(), GEO_NAME);
  await checkSchemas(GEO, GEO_NAME);
});

test('geometric types and hstore, snapshotted: the same values as read events', async () => {
  checkTable(GEO_SNAP, await geoRecords(), GEO_NAME, 'r');
  await checkSchemas(GEO_SNAP, GEO_NAME);
});

test('NOT NULL geometric columns: Geometry, Circle and Line stay optional (Debezium\'s optional structs), Point and hstore do not; a delete\'s before carries Debezium\'s fallbacks', async () => {
  const records = recordsOf(await geoRecords(), 'geo_nn', GEO_NAME);
  same(records.map((r) => r.value?.op ?? null), ['c', 'd', null], 'geo_nn: insert, delete, tombstone');
  const wkbPoint12 = Buffer.from('0101000000000000000000f03f0000000000000040', 'hex');
  same(records[0]!.value!.after, {
    id: 1,
    p: { x: 1, y: 2, wkb: wkbPoint12, srid: null },
    c: { center: { x: 1, y: 2, wkb: wkbPoint12, srid: null }, radius: 3 },
    l: { a: 1, b: -1, c: 0 },
    b: { wkb: Buffer.from('01030000000100000005000000' + '000000000000f03f000000000000f03f' + '000000000000f03f0000000000000000' + '00000000000000000000000000000000' + '0000000000000000000000000000f03f' + '000000000000f03f000000000000f03f', 'hex'), srid: null, extensions: { type: 'box' } },
    h: '{"k":"v"}',
  }, 'geo_nn insert');
  // REPLICA IDENTITY DEFAULT: only the key is sent; NOT NULL columns get Debezium's fallbacks
  const zeroPoint = { x: 0, y: 0, wkb: Buffer.from('010100000000000000000000000000000000000000', 'hex'), srid: null };
  same(records[1]!.value!.before, {
    id: 1,
    p: zeroPoint,
    c: { center: zeroPoint, radius: 0 },
    l: { a: 0, b: 1, c: 0 },
    // Debezium's geometryFallback for a box: the unit square (0,0) (0,1) (1,1) (1,0) (0,0)
    b: { wkb: Buffer.from('01030000000100000005000000' + '00000000000000000000000000000000' + '0000000000000000000000000000f03f' + '000000000000f03f000000000000f03f' + '000000000000f03f0000000000000000' + '00000000000000000000000000000000', 'hex'), srid: null, extensions: { type: 'box' } },
    h: '{}',
  }, 'geo_nn delete before');

  const value = valueRecordOf((await latestSchema(`${topicOf(GEO_NAME, 'geo_nn')}-value`)).schema);
  same(value.fields, [
    { name: 'id', type: 'int' },
    { name: 'p', type: POINT_SCHEMA },
    { name: 'c', type: ['null', CIRCLE_SCHEMA], default: null },
    { name: 'l', type: ['null', LINE_SCHEMA], default: null },
    { name: 'b', type: ['null', GEOMETRY_SCHEMA], default: null },
    { name: 'h', type: { type: 'string', 'connect.version': 1, 'connect.name': 'io.debezium.data.Json' } },
  ], 'geo_nn value schema');
});

test('hstore.handling.mode=map: an Avro map of optional strings', async () => {
  const records = await readOrFail(hmap, ['geo_hmap', 'geo_hmap_toast'].map((t) => topicOf(HMAP_NAME, t)), (r) => r.length >= rowCount(HSTORE_MAP_CASE) + 2);
  checkTable(HSTORE_MAP_CASE, records, HMAP_NAME);
  await checkSchemas(HSTORE_MAP_CASE, HMAP_NAME);
  const toast = recordsOf(records, 'geo_hmap_toast', HMAP_NAME);
  same(toast.map((r) => r.value!.after), [{ id: 1, note: 'first', h: { big: BIG } }, { id: 1, note: 'second', h: { [PLACEHOLDER]: PLACEHOLDER } }], 'unchanged TOASTed hstore: the map {placeholder: placeholder}');
});

test('unchanged TOASTed hstore (json): Debezium\'s placeholder map as JSON', async () => {
  const toast = recordsOf(await geoRecords(), 'geo_toast', GEO_NAME);
  same(toast.map((r) => r.value!.after), [
    { id: 1, note: 'first', h: `{"big":"${BIG}"}` },
    { id: 1, note: 'second', h: `{"${PLACEHOLDER}":"${PLACEHOLDER}"}` },
  ], 'geo_toast after');
});
