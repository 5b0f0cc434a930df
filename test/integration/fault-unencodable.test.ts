/**
 * Issue 7, scenario 9: a value that cannot be encoded (NaN/±Infinity in a NOT NULL numeric under
 * decimal.handling.mode=precise; in a nullable column Debezium and pgcdc write null, see
 * null-values.test.ts). Guarantees:
 *  - errors.tolerance=none: the connector goes FAILED naming table, key and LSN; nothing from that
 *    change on is confirmed (confirmed_flush_lsn stays before it and never passes the stored
 *    offset), and a restart fails again at the same LSN instead of skipping it. Same in a snapshot.
 *  - errors.tolerance=all: each such change becomes one record on the dead-letter topic (error in
 *    headers, row as PostgreSQL text in the value), the pipeline continues, the dead letters are
 *    counted, and the PostgreSQL oracle's copy of the table equals the source except exactly the
 *    dead-lettered rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { parseLsn } from '../../src/postgres/lsn.js';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { beforeCommitOf, confirmedFlushLsn, readDeadLetters, storedFlushLsn, walPosition } from '../harness/dead-letters.js';

const DB = 'pgcdc_it_fault_unencodable';
const STRICT = 'pgcdc_it_unenc_none';
const SNAP = 'pgcdc_it_unenc_snap';
const TOLERANT = 'pgcdc_it_unenc_all';
let services: TestServices;
let db: pg.ClientConfig;
const running: RunningConnector[] = [];
let oracle: PgOracle | undefined;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, async (c) => {
    await c.query('CREATE TABLE amounts (id int PRIMARY KEY, amount numeric NOT NULL, note text)');
    await c.query('CREATE TABLE snap_bad (id int PRIMARY KEY, amount numeric NOT NULL)');
    await c.query(`INSERT INTO snap_bad VALUES (1, 1), (2, 'NaN'), (3, 3)`);
    await c.query('CREATE TABLE ledger (id int PRIMARY KEY, amount numeric NOT NULL, note text)');
    await c.query(`INSERT INTO ledger SELECT g, CASE WHEN g = 7 THEN 'NaN'::numeric ELSE g * 1.5 END, 'n' || g FROM generate_series(1, 20) g`);
  });
});

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  await oracle?.close().catch(() => {});
  await dropDatabase(services, DB);
});

const lsnInTrace = (trace: string): bigint => {
  const m = /at LSN ([0-9A-F]+\/[0-9A-F]+)/.exec(trace);
  assert.ok(m, `the trace names an LSN: ${trace}`);
  return parseLsn(m[1]);
};

async function start(name: string, overrides: Record<string, unknown>): Promise<RunningConnector> {
  const r = await startConnector(services, testConnectorConfig(db, services, name, { 'decimal.handling.mode': 'precise', ...overrides }), `pgcdc-test-offsets-${topicPrefixFor(name)}`);
  running.push(r);
  return r;
}

/** confirmed_flush_lsn is at most the stored offset's flush LSN (checked once the offset exists). */
async function assertConfirmedWithinStored(r: RunningConnector, name: string): Promise<void> {
  const confirmed = await confirmedFlushLsn(db, name.replace(/[^a-z0-9_]/g, '_'));
  const stored = await storedFlushLsn(r.offsetStore, name, topicPrefixFor(name));
  if (confirmed !== null && stored !== null) assert.ok(confirmed <= stored, `confirmed_flush_lsn ${confirmed} never passes the stored offset ${stored}`);
}

test('errors.tolerance=none: FAILED naming table, key and LSN; nothing after it confirmed; a restart fails at the same LSN', async () => {
  const r = await start(STRICT, { 'table.include.list': 'public\\.amounts' });
  await eventually(() => r.connector.streaming !== null, 'streaming');
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO amounts VALUES (1, 1.5, 'a')`);
    await c.query(`INSERT INTO amounts VALUES (2, 2.25, 'b')`);
  });
  const topic = `${topicPrefixFor(STRICT)}.public.amounts`;
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (recs) => recs.length >= 2);
  const bad = await beforeCommitOf(db, `INSERT INTO amounts VALUES (3, 'NaN', 'bad')`);
  const beforeBad = bad.beforeCommit;
  await withClient(db, (c) => c.query(`INSERT INTO amounts VALUES (4, 4, 'after')`));
  await eventually(() => r.connector.state === 'FAILED', 'the connector to fail');
  const trace = r.connector.trace ?? '';
  assert.match(trace, /public\.amounts/, `names the table: ${trace}`);
  assert.match(trace, /key \{"id":"3"\}/, `names the key: ${trace}`);
  assert.match(trace, /\bamount\b.*NaN|NaN.*\bamount\b/, `names the column and value: ${trace}`);
  assert.match(trace, /decimal\.handling\.mode=(string|double)/, `gives the remedy: ${trace}`);
  const failedAt = lsnInTrace(trace);
  assert.ok(failedAt >= bad.start && failedAt <= beforeBad, `the LSN named is the bad change: ${failedAt} in ${bad.start}..${beforeBad}: ${trace}`);

  await new Promise((res) => setTimeout(res, 700)); // a flush interval and more
  const slot = STRICT.replace(/[^a-z0-9_]/g, '_');
  assert.ok((await confirmedFlushLsn(db, slot))! <= beforeBad, 'the bad change is not confirmed');
  await assertConfirmedWithinStored(r, STRICT);

  await r.connector.restart();
  await eventually(() => r.connector.state === 'FAILED', 'the restarted connector to fail again');
  assert.equal(lsnInTrace(r.connector.trace ?? ''), failedAt, 'a restart fails at the same change, it does not skip it');
  assert.ok((await confirmedFlushLsn(db, slot))! <= beforeBad, 'still not confirmed after the restart');
  await assertConfirmedWithinStored(r, STRICT);

  // Rows before the bad one were delivered (possibly twice after the restart); nothing after it was.
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (recs) => recs.length >= 2);
  await new Promise((res) => setTimeout(res, 1000));
  const all = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (recs) => recs.length >= records.length, 10_000);
  assert.deepEqual([...new Set(all.map((x) => (x.key as { id: number }).id))].sort(), [1, 2]);
});

test('errors.tolerance=none in a snapshot: FAILED naming table, key and the snapshot LSN, again after a restart', async () => {
  const r = await start(SNAP, { 'table.include.list': 'public\\.snap_bad' });
  await eventually(() => r.connector.state === 'FAILED', 'the snapshot to fail');
  const trace = r.connector.trace ?? '';
  assert.match(trace, /public\.snap_bad \(key \{"id":"2"\}\)/, `names table and key: ${trace}`);
  const at = lsnInTrace(trace);
  await r.connector.restart();
  await eventually(() => r.connector.state === 'FAILED', 'the restarted snapshot to fail again');
  assert.match(r.connector.trace ?? '', /key \{"id":"2"\}/);
  assert.ok(lsnInTrace(r.connector.trace ?? '') >= at);
});

test('errors.tolerance=all: unencodable changes go to the dead-letter topic, the rest flows, the oracle copy differs exactly there', async () => {
  const dlq = `${topicPrefixFor(TOLERANT)}.dlq`;
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: DB, topicPrefix: topicPrefixFor(TOLERANT) });
  const r = await start(TOLERANT, {
    'table.include.list': 'public\\.ledger',
    'errors.tolerance': 'all',
    'errors.deadletterqueue.topic.name': dlq,
    'errors.deadletterqueue.context.headers.enable': 'true',
  });
  await eventually(() => r.connector.streaming !== null, `streaming (${r.connector.trace})`);
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO ledger SELECT g, CASE WHEN g = 25 THEN 'Infinity'::numeric ELSE g * 1.5 END, 'n' || g FROM generate_series(21, 30) g`);
    await c.query(`UPDATE ledger SET amount = 'NaN', note = 'changed' WHERE id = 10`);
    await c.query(`UPDATE ledger SET note = 'ok' WHERE id = 11`);
    await c.query(`DELETE FROM ledger WHERE id = 12`);
    await c.query(`BEGIN; INSERT INTO ledger VALUES (31, 31, 'x'), (32, '-Infinity', 'y'), (33, 33, 'z'); COMMIT`);
  });
  // Taken before the sentinel commits: once the sentinel is confirmed, the slot is past this point,
  // whatever else the server writes meanwhile (other databases share the WAL).
  const afterAll = await walPosition(db);
  await withClient(db, (c) => c.query(`INSERT INTO ledger VALUES (99, 99, 'sentinel')`));
  const topic = `${topicPrefixFor(TOLERANT)}.public.ledger`;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (recs) => recs.some((x) => (x.key as { id: number } | null)?.id === 99));
  const letters = await readDeadLetters(services.kafkaBrokers, dlq, (l) => l.length >= 4);

  // The dead letters: one per unencodable change, in WAL order, each saying what and where.
  assert.deepEqual(letters.map((l) => [l.key, l.value.op, l.value.after?.amount]), [
    ['{"id":"7"}', 'r', 'NaN'],
    ['{"id":"25"}', 'c', 'Infinity'],
    ['{"id":"10"}', 'u', 'NaN'],
    ['{"id":"32"}', 'c', '-Infinity'],
  ]);
  for (const l of letters) {
    assert.equal(l.value.table, 'public.ledger');
    assert.equal(l.value.topic, topic);
    assert.equal(l.value.connector, TOLERANT);
    assert.match(l.value.error, /cannot be represented as a decimal/);
    assert.equal(l.headers['__connect.errors.topic'], topic);
    assert.equal(l.headers['__connect.errors.connector.name'], TOLERANT);
    assert.equal(l.headers['__connect.errors.exception.class.name'], 'PgcdcError');
    assert.match(l.headers['__connect.errors.exception.message'] ?? '', new RegExp(`at LSN ${l.value.lsn} of public\\.ledger \\(key \\{"id":"\\d+"\\}\\)`));
    assert.equal(l.headers['__pgcdc.errors.table'], 'public.ledger');
    assert.equal(l.headers['__pgcdc.errors.lsn'], l.value.lsn);
    assert.equal(l.headers['__pgcdc.errors.key'], l.key);
    assert.match(l.headers['__connect.errors.exception.stacktrace'] ?? '', /ConversionError/, 'context headers carry the stack trace');
  }
  assert.equal(letters[2]!.value.after?.note, 'changed', 'the whole row is there, as PostgreSQL text');
  assert.equal(r.connector.deadLetters.deadLettered, 4, 'dead letters are counted');
  assert.equal(r.connector.metrics.deadLetters, 4, 'dead letters reach the metrics (pgcdc_dead_letters_total)');
  assert.equal(r.connector.state, 'RUNNING');

  // The PostgreSQL oracle's copy (the reference loader) equals the source except exactly the
  // dead-lettered rows. Numerics compare by value (VariableScaleDecimal drops trailing zeros).
  assert.ok(records.length > 0);
  await oracle.caughtUp();
  const rows = (d: pg.ClientConfig) => withClient(d, async (c) => new Map((await c.query('SELECT id, trim_scale(amount)::text AS amount, note FROM public.ledger')).rows.map((x) => [String(x.id), `${x.amount}|${x.note}`])));
  const [source, copy] = [await rows(db), await rows(oracle.copyDb)];
  const differing = [...new Set([...source.keys(), ...copy.keys()])].filter((id) => source.get(id) !== copy.get(id)).sort();
  assert.deepEqual(differing, ['10', '25', '32', '7'], 'rows that differ are exactly the dead-lettered ones');
  assert.equal(copy.get('10'), '15|n10', 'the dead-lettered update left the previous row in place');
  assert.equal(copy.has('12'), false);

  // The pipeline went on past the dead letters: the slot is confirmed beyond the last change,
  // and never beyond the stored offset.
  const slot = TOLERANT.replace(/[^a-z0-9_]/g, '_');
  await eventually(async () => ((await confirmedFlushLsn(db, slot)) ?? 0n) >= afterAll, 'the slot to be confirmed past the dead-lettered changes');
  await assertConfirmedWithinStored(r, TOLERANT);
});
