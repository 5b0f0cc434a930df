// Differential compatibility suite (issue 15): Debezium 3.7.0.Final in Kafka Connect standalone and a
// pgcdc worker capture the same database with the same connector config (only topic.prefix, slot.name
// and publication.name differ), against the shared broker and registry. Both snapshot, then the test
// runs inserts, updates, a primary-key change, deletes (with and without a key), a truncate and an
// ADD COLUMN on a table of many types, and compares per table the registered key and value schemas
// (every subject version) and every record's key, value and headers in order. What must differ
// (run times, snapshot positions, the prefix, the run id) is normalised away (compare.ts); anything
// else fails the test unless allowlist.ts lists it (ALLOWED: intentional and documented in the
// README; KNOWN_BUGS: open pgcdc bugs, printed on every run).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { RUN_ID } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { readTopicRecords, type FetchedRecord } from '../harness/topic-reader.js';
import { RegistryDecoder } from '../harness/topics.js';
import { debeziumRunning, startDebeziumConnect, type DebeziumConnect } from './debezium-connect.js';
import { diff, headerList, keyFields, normalise, sideBySide, withoutRunTimeFields, type Difference } from './compare.js';
import { ALLOWED, KNOWN_BUGS, matches } from './allowlist.js';

const DB = 'pgcdc_compat';
const NAME = `compat_${RUN_ID}`;
/** Kafka Connect's REST listener: this suite's private port range is 48000-48099 */
const CONNECT_PORT = Number(process.env.PGCDC_TEST_COMPAT_CONNECT_PORT ?? 48000);
const TABLES = ['types', 'nokey'];
const SENTINEL = 999;

interface Side {
  label: 'debezium' | 'pgcdc';
  prefix: string;
  slot: string;
  publication: string;
}
const dbz: Side = { label: 'debezium', prefix: `compat_dbz_${RUN_ID}`, slot: `compat_dbz_${RUN_ID}`, publication: 'compat_dbz_pub' };
const pgc: Side = { label: 'pgcdc', prefix: `compat_pgcdc_${RUN_ID}`, slot: `compat_pgcdc_${RUN_ID}`, publication: 'compat_pgcdc_pub' };

let services: TestServices;
let db: pg.ClientConfig;
let debezium: DebeziumConnect | undefined;
let worker: WorkerHttp | undefined;
const sql = (text: string) => withClient(db, (c) => c.query(text));

/** The one connector config both run (the converters are Connect worker settings on Debezium's side). */
function connectorConfig(side: Side): Record<string, string> {
  return {
    name: NAME,
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': db.host!,
    'database.port': String(db.port),
    'database.user': db.user!,
    'database.password': String(db.password ?? ''),
    'database.dbname': db.database!,
    'plugin.name': 'pgoutput',
    'publication.autocreate.mode': 'disabled',
    'table.include.list': TABLES.map((t) => `public.${t}`).join(','),
    'snapshot.mode': 'initial',
    'skipped.operations': 'none',
    'topic.prefix': side.prefix,
    'slot.name': side.slot,
    'publication.name': side.publication,
  };
}

const COLUMNS = `i2, i4, i8, n52, n, f4, f8, b, t, vc, ch, by, d, tm, tmtz, ts, tstz, iv, u, j, jb, m, ai, at, r, tr, ip, bt, vb, ts3, tm0, mo, mac, cid, big`;
const FULL_ROW = `32767, -2147483648, 9007199254740993, 123.45, 12345678901234567890.0123456789, 1.5, -2.25e-10, false,
  'grüße', 'varchar', 'ab', '\\x00ff10', '2024-02-29', '23:59:59.999999', '10:11:12.5+02', '2024-01-02 03:04:05.678901',
  '2024-01-02 03:04:05.123456+05:30', '1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"a": [1, 2]}', '{"b": {"c": null}}', 'happy', '{1,NULL,3}', '{"x","y z"}', '[1,10)', '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)',
  '192.168.0.1/24', B'1010', B'101', '2024-01-02 03:04:05.678', '12:34:56', 12.34, '08:00:2b:01:02:03', '10.0.0.0/8',
  (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i)`;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await sql(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE TABLE types (id int PRIMARY KEY, i2 smallint, i4 integer DEFAULT 42, i8 bigint, n52 numeric(5,2) DEFAULT 1.50, n numeric,
      f4 real, f8 double precision, b boolean DEFAULT true, t text DEFAULT 'hello', vc varchar(20), ch char(3), by bytea,
      d date DEFAULT '2020-01-01', tm time, tmtz timetz, ts timestamp, tstz timestamptz DEFAULT '2020-01-01 00:00:00+00', iv interval,
      u uuid, j json, jb jsonb, m mood DEFAULT 'ok', ai int[], at text[], r int4range, tr tstzrange, ip inet, bt bit(4), vb varbit(8),
      ts3 timestamp(3), tm0 time(0), mo money, mac macaddr, cid cidr, big text,
      created timestamptz DEFAULT now(), gid uuid DEFAULT gen_random_uuid(), counter serial);
    CREATE TABLE nokey (a int, b text);
    ALTER TABLE nokey REPLICA IDENTITY FULL;
    INSERT INTO types (id, ${COLUMNS}) VALUES (1, ${FULL_ROW});
    INSERT INTO types (id, ${COLUMNS}) VALUES (2, ${COLUMNS.split(',').map(() => 'NULL').join(', ')});
    INSERT INTO types (id) VALUES (3);
    INSERT INTO types (id, d, ts, ts3, tstz) VALUES (7, 'infinity', 'infinity', '-infinity', 'infinity'), (8, '-infinity', '-infinity', 'infinity', '-infinity');
    INSERT INTO nokey VALUES (1, 'one'), (2, 'two');
    CREATE PUBLICATION ${dbz.publication} FOR TABLE ${TABLES.join(', ')};
    CREATE PUBLICATION ${pgc.publication} FOR TABLE ${TABLES.join(', ')};`);
  debezium = startDebeziumConnect(services, CONNECT_PORT, connectorConfig(dbz));
  worker = new WorkerHttp(services, 'compat');
  await worker.start();
  const res = await worker.request('POST', '/connectors', {
    name: NAME,
    config: {
      ...connectorConfig(pgc),
      'key.converter.schema.registry.url': services.registryUrl,
      'value.converter.schema.registry.url': services.registryUrl,
      // Debezium's side runs Connect's AvroConverter at its default (a NULL in a column with a default
      // is written as the default); pgcdc keeps NULLs unless told to do the same (README, Events)
      'value.converter.ignore.default.for.nullables': 'false',
    },
  });
  assert.equal(res.status, 201, res.text);
});

after(async () => {
  await worker?.request('DELETE', `/connectors/${NAME}`).catch(() => {});
  await worker?.stop();
  await debezium?.stop();
  if (db) await dropDatabase(services, DB);
});

const topicOf = (side: Side, table: string) => `${side.prefix}.public.${table}`;

/** Reads a side's topic up to a record matching `done`, then on to the end the topic had then. */
async function readUntil(side: Side, table: string, decoder: RegistryDecoder, done: (value: any, key: any) => boolean, timeoutMs: number) {
  const topic = topicOf(side, table);
  const out: { raw: FetchedRecord; key: any; value: any }[] = [];
  let seen = false;
  const deadline = Date.now() + timeoutMs;
  while (!seen) {
    out.length = 0;
    await readTopicRecords(services.kafkaBrokers, [topic], async (r) => {
      const key = (await decoder.decode(r.key)).value;
      const value = (await decoder.decode(r.value)).value;
      out.push({ raw: r, key, value });
      if (done(value, key)) seen = true;
    }, { timeoutMs: Math.max(1_000, deadline - Date.now()), toCurrentEnd: true });
    if (!seen) {
      if (Date.now() > deadline) throw new Error(`${side.label}: ${topic} has ${out.length} records and not the one awaited`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return out;
}

async function subjectVersions(subject: string): Promise<{ version: number; schema: unknown }[]> {
  const base = services.registryUrl;
  const res = await fetch(`${base}/subjects/${encodeURIComponent(subject)}/versions`);
  if (res.status === 404) return [];
  const versions = (await res.json()) as number[];
  const out: { version: number; schema: unknown }[] = [];
  for (const v of versions) {
    const body = (await (await fetch(`${base}/subjects/${encodeURIComponent(subject)}/versions/${v}`)).json()) as { schema: string };
    out.push({ version: v, schema: JSON.parse(body.schema) });
  }
  return out;
}

test('Debezium 3.7 and pgcdc emit the same schemas and events', { timeout: 540_000 }, async () => {
  const decoder = new RegistryDecoder(services.registryUrl);
  await debeziumRunning(debezium!, NAME);
  // both snapshots done: the last snapshot row is nokey's (tables in table.include.list order)
  for (const side of [dbz, pgc]) await readUntil(side, 'nokey', decoder, (v) => v?.op === 'r' && v.source?.snapshot === 'last', 240_000);

  await sql(`INSERT INTO types (id, ${COLUMNS}) VALUES (4, ${FULL_ROW})`);
  await sql(`UPDATE types SET i4 = 7, n = 'NaN', f8 = 'NaN', f4 = '-Infinity', t = 'changed', jb = '[]', ai = '{}', tr = 'empty', m = 'sad', tstz = '1970-01-01 00:00:00+00' WHERE id = 4`);
  // big (TOASTed) unchanged: Debezium's unavailable-value placeholder
  await sql(`UPDATE types SET i2 = 1, ts = 'infinity', tstz = '-infinity', d = 'infinity' WHERE id = 4`);
  await sql(`UPDATE types SET i2 = 2, ts = '-infinity', ts3 = 'infinity', d = '-infinity', tstz = 'infinity' WHERE id = 4`);
  await sql(`UPDATE types SET id = 30 WHERE id = 3`);
  await sql(`DELETE FROM types WHERE id = 1`);
  await sql(`BEGIN; INSERT INTO types (id, t) VALUES (5, 'in a transaction'); UPDATE types SET vc = 'two' WHERE id = 2; COMMIT`);
  await sql(`ALTER TABLE types ADD COLUMN extra text DEFAULT 'x', ADD COLUMN amount numeric(8,3) NOT NULL DEFAULT 2.5`);
  await sql(`INSERT INTO types (id, extra, amount) VALUES (6, 'added', 7.125)`);
  await sql(`UPDATE types SET extra = NULL WHERE id = 2`);
  await sql(`DELETE FROM types WHERE id = 5`);
  await sql(`INSERT INTO nokey VALUES (3, 'three'); UPDATE nokey SET b = 'zwei' WHERE a = 2; DELETE FROM nokey WHERE a = 1`);
  await sql(`TRUNCATE nokey`);
  await sql(`INSERT INTO types (id) VALUES (${SENTINEL}); INSERT INTO nokey VALUES (${SENTINEL}, 'end')`);

  const diffs: Difference[] = [];
  /** both sides' normalised schemas and events, to read (git-ignored) */
  const dump: Record<string, unknown> = {};
  let identical = 0;
  let events = 0;
  let schemaDiffs = 0;
  for (const table of TABLES) {
    const isSentinel = (v: any) => v?.after && (v.after.id === SENTINEL || v.after.a === SENTINEL);
    const [a, b] = await Promise.all([dbz, pgc].map((side) => readUntil(side, table, decoder, isSentinel, 120_000)));
    const n = Math.max(a.length, b.length);
    const shape = (r: (typeof a)[number] | undefined, side: Side) => (r ? { key: normalise(r.key, side.prefix), value: normalise(withoutRunTimeFields(r.value), side.prefix), headers: headerList(r.raw.headers as [Buffer, Buffer][], side.prefix) } : undefined);
    dump[`${table} events`] = { debezium: a.map((r) => shape(r, dbz)), pgcdc: b.map((r) => shape(r, pgc)) };
    events += n;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      const where = `#${i} ${x?.value?.op ?? y?.value?.op ?? 'tombstone'}`;
      const found = diff(shape(x, dbz), shape(y, pgc)).map(([path, debeziumValue, pgcdcValue]) => ({ table, kind: 'event' as const, where, path, debezium: debeziumValue, pgcdc: pgcdcValue }));
      if (found.length === 0) identical++;
      diffs.push(...found);
    }
    for (const part of ['key', 'value']) {
      const [sa, sb] = await Promise.all([dbz, pgc].map((side) => subjectVersions(`${topicOf(side, table)}-${part}`)));
      const m = Math.max(sa.length, sb.length);
      dump[`${table} ${part} schemas`] = { debezium: sa.map((x) => normalise(x.schema, dbz.prefix)), pgcdc: sb.map((x) => normalise(x.schema, pgc.prefix)) };
      for (let v = 0; v < m; v++) {
        const found = diff(sa[v] && keyFields(normalise(sa[v].schema, dbz.prefix)), sb[v] && keyFields(normalise(sb[v].schema, pgc.prefix)))
          .map(([path, debeziumValue, pgcdcValue]) => ({ table, kind: 'schema' as const, where: `${part} v${v + 1}`, path, debezium: debeziumValue, pgcdc: pgcdcValue }));
        schemaDiffs += found.length;
        diffs.push(...found);
      }
    }
  }

  const label = (d: Difference) => {
    const allowed = ALLOWED.find((e) => matches(e, d));
    if (allowed) return `allowed: ${allowed.reason}`;
    const bug = KNOWN_BUGS.find((e) => matches(e, d));
    return bug ? `KNOWN BUG: ${bug.reason}` : 'UNEXPECTED';
  };
  const report = `compat: ${identical}/${events} events identical, ${schemaDiffs} schema differences\n${diffs.length ? sideBySide(diffs, label) : ''}`;
  console.log(report);
  writeFileSync('test-artifacts/compat-report.txt', `${report}\n`);
  writeFileSync('test-artifacts/compat-records.json', JSON.stringify(dump, null, 1));
  const unexpected = diffs.filter((d) => label(d) === 'UNEXPECTED');
  assert.ok(events > 0, 'events to compare');
  assert.deepEqual(unexpected.map((d) => `${d.table} ${d.kind} ${d.where} ${d.path}: Debezium ${d.debezium}, pgcdc ${d.pgcdc}`), [], 'differences not in the allowlist');
});
