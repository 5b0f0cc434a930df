/**
 * Issue 7, scenario 10: a record larger than Kafka accepts (a 3.2 MB text value of random hex,
 * which no compression saves). Guarantees:
 *  - default: checked before sending; the connector goes FAILED naming table, key, LSN, size and
 *    the limit (producer.override.max.request.size); nothing from that change on is confirmed, and
 *    a restart fails at the same LSN.
 *  - a limit set above the topic's: the broker's MESSAGE_TOO_LARGE is a permanent failure naming
 *    the topic and the record's size, and again nothing after it is confirmed.
 *  - errors.tolerance=all: the change becomes a dead letter describing it (column sizes, size,
 *    limit; the row itself does not fit), the pipeline continues, and the PostgreSQL oracle's copy
 *    of the table equals the source except exactly the dead-lettered rows.
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

const DB = 'pgcdc_it_fault_oversized';
const STRICT = 'pgcdc_it_big_none';
const BROKER = 'pgcdc_it_big_broker';
const TOLERANT = 'pgcdc_it_big_all';
/** 100,000 md5 hex strings: 3,200,000 bytes of text that does not compress much. */
const BIG = `(SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 100000) g)`;
let services: TestServices;
let db: pg.ClientConfig;
const running: RunningConnector[] = [];
let oracle: PgOracle | undefined;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, async (c) => {
    for (const t of ['blobs_a', 'blobs_b', 'blobs_c']) await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, payload text, note text)`);
    await c.query(`INSERT INTO blobs_c SELECT g, 'p' || g, 'n' || g FROM generate_series(1, 10) g`);
    await c.query(`UPDATE blobs_c SET payload = ${BIG} WHERE id = 5`);
  });
});

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  await oracle?.close().catch(() => {});
  await dropDatabase(services, DB);
});

const slotOf = (name: string) => name.replace(/[^a-z0-9_]/g, '_');
const lsnInTrace = (trace: string): bigint => {
  const m = /at LSN ([0-9A-F]+\/[0-9A-F]+)/.exec(trace);
  assert.ok(m, `the trace names an LSN: ${trace}`);
  return parseLsn(m[1]);
};

async function start(name: string, overrides: Record<string, unknown>): Promise<RunningConnector> {
  const r = await startConnector(services, testConnectorConfig(db, services, name, overrides), `pgcdc-test-offsets-${topicPrefixFor(name)}`);
  running.push(r);
  return r;
}

async function assertNotConfirmedPast(r: RunningConnector, name: string, lsn: bigint, what: string): Promise<void> {
  const confirmed = await confirmedFlushLsn(db, slotOf(name));
  assert.ok(confirmed !== null && confirmed <= lsn, `${what}: confirmed_flush_lsn ${confirmed} stays at or before ${lsn}`);
  const stored = await storedFlushLsn(r.offsetStore, name, topicPrefixFor(name));
  if (stored !== null) assert.ok(confirmed <= stored, `${what}: confirmed_flush_lsn never passes the stored offset`);
}

/** Streams one small row and waits for it, then writes the big one and another small one. */
async function smallBigSmall(r: RunningConnector, name: string, table: string): Promise<{ start: bigint; beforeCommit: bigint }> {
  await eventually(() => r.connector.streaming !== null, `streaming (${r.connector.trace})`);
  await withClient(db, (c) => c.query(`INSERT INTO ${table} VALUES (1, 'small', 'a')`));
  await readTopics(services.kafkaBrokers, services.registryUrl, [`${topicPrefixFor(name)}.public.${table}`], (recs) => recs.length >= 1);
  const big = await beforeCommitOf(db, `INSERT INTO ${table} VALUES (2, ${BIG}, 'big')`);
  await withClient(db, (c) => c.query(`INSERT INTO ${table} VALUES (3, 'small', 'after')`));
  return big;
}

test('default: a 3.2 MB record FAILS the connector naming table, key, LSN, size and limit; nothing after it is confirmed', async () => {
  const r = await start(STRICT, { 'table.include.list': 'public\\.blobs_a' });
  const big = await smallBigSmall(r, STRICT, 'blobs_a');
  await eventually(() => r.connector.state === 'FAILED', 'the connector to fail');
  const trace = r.connector.trace ?? '';
  assert.match(trace, /of public\.blobs_a \(key \{"id":2\}\)/, `names table and key: ${trace}`);
  assert.match(trace, /record of 3,2\d\d,\d\d\d bytes/, `names the size: ${trace}`);
  assert.match(trace, /limit of 1,048,576 bytes \(producer\.override\.max\.request\.size\)/, `names the limit and its key: ${trace}`);
  const at = lsnInTrace(trace);
  assert.ok(at >= big.start && at <= big.beforeCommit, 'the LSN named is the big change');
  await new Promise((res) => setTimeout(res, 700));
  await assertNotConfirmedPast(r, STRICT, big.beforeCommit, 'after the failure');

  await r.connector.restart();
  await eventually(() => r.connector.state === 'FAILED', 'the restarted connector to fail again');
  assert.equal(lsnInTrace(r.connector.trace ?? ''), at, 'a restart fails at the same change');
  await assertNotConfirmedPast(r, STRICT, big.beforeCommit, 'after the restart');
});

test('a limit above the topic\'s: the broker\'s MESSAGE_TOO_LARGE FAILS the connector naming the topic and size; nothing after it is confirmed', async () => {
  const r = await start(BROKER, { 'table.include.list': 'public\\.blobs_b', 'producer.override.max.request.size': String(8 * 1024 * 1024) });
  const big = await smallBigSmall(r, BROKER, 'blobs_b');
  await eventually(() => r.connector.state === 'FAILED', `the connector to fail (${r.connector.state}: ${r.connector.trace})`, 60_000);
  const trace = r.connector.trace ?? '';
  const topic = `${topicPrefixFor(BROKER)}.public.blobs_b`;
  assert.match(trace, new RegExp(`one record of 3,2\\d\\d,\\d\\d\\d bytes .*to topic "${topic}"`), `names the topic and size: ${trace}`);
  assert.match(trace, /max\.message\.bytes/, `says which limit to raise: ${trace}`);
  await new Promise((res) => setTimeout(res, 700));
  await assertNotConfirmedPast(r, BROKER, big.beforeCommit, 'after the broker refused the record');
});

test('errors.tolerance=all: oversized changes become dead letters describing them; the oracle copy differs exactly there', async () => {
  const dlq = `${topicPrefixFor(TOLERANT)}.dlq`;
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: DB, topicPrefix: topicPrefixFor(TOLERANT) });
  const r = await start(TOLERANT, { 'table.include.list': 'public\\.blobs_c', 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq });
  await eventually(() => r.connector.streaming !== null, `streaming (${r.connector.trace})`);
  await withClient(db, async (c) => {
    await c.query(`INSERT INTO blobs_c SELECT g, 'p' || g, 'n' || g FROM generate_series(11, 15) g`);
    await c.query(`UPDATE blobs_c SET payload = ${BIG} WHERE id = 13`);
    await c.query(`UPDATE blobs_c SET payload = ${BIG}, note = 'grown' WHERE id = 3`);
    await c.query(`UPDATE blobs_c SET note = 'x' WHERE id = 4`);
    await c.query(`DELETE FROM blobs_c WHERE id = 6`);
  });
  // Taken before the sentinel commits: once the sentinel is confirmed, the slot is past this point,
  // whatever else the server writes meanwhile (other databases share the WAL).
  const afterAll = await walPosition(db);
  await withClient(db, (c) => c.query(`INSERT INTO blobs_c VALUES (99, 'p99', 'sentinel')`));
  const topic = `${topicPrefixFor(TOLERANT)}.public.blobs_c`;
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (recs) => recs.some((x) => (x.key as { id: number } | null)?.id === 99), 120_000);
  const letters = await readDeadLetters(services.kafkaBrokers, dlq, (l) => l.length >= 3);

  assert.deepEqual(letters.map((l) => [l.key, l.value.op, l.value.stage]), [
    ['{"id":5}', 'r', 'size'],
    ['{"id":13}', 'u', 'size'],
    ['{"id":3}', 'u', 'size'],
  ]);
  for (const l of letters) {
    assert.equal(l.value.limit_bytes, 1048576);
    assert.ok(l.value.size_bytes! > 3_200_000, `size ${l.value.size_bytes}`);
    assert.ok(l.value.column_bytes!.payload! >= 3_200_000, `the column to blame: ${JSON.stringify(l.value.column_bytes)}`);
    assert.equal(l.value.after, undefined, 'the row itself is not in the dead letter (it does not fit)');
    assert.equal(l.headers['__connect.errors.topic'], topic);
    assert.equal(l.headers['__connect.errors.stage'], 'KAFKA_PRODUCE');
    assert.match(l.headers['__connect.errors.exception.message'] ?? '', /over the limit of 1,048,576 bytes/);
    assert.equal(l.headers['__pgcdc.errors.key'], l.key);
    assert.match(l.headers['__pgcdc.errors.lsn'] ?? '', /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.equal(l.headers['__connect.errors.exception.stacktrace'], undefined, 'no stack trace without context headers');
  }
  assert.equal(r.connector.deadLetters.deadLettered, 3);
  assert.equal(r.connector.state, 'RUNNING');

  // The loader's copy of the table equals the source except exactly the dead-lettered rows.
  await oracle.caughtUp();
  const rows = (d: pg.ClientConfig) => withClient(d, async (c) => new Map((await c.query('SELECT id, md5(payload) AS p, note FROM public.blobs_c')).rows.map((x) => [String(x.id), `${x.p}|${x.note}`])));
  const [source, copy] = [await rows(db), await rows(oracle.copyDb)];
  const differing = [...new Set([...source.keys(), ...copy.keys()])].filter((id) => source.get(id) !== copy.get(id)).sort();
  assert.deepEqual(differing, ['13', '3', '5'], 'rows that differ are exactly the dead-lettered ones');
  assert.equal(copy.get('3')?.endsWith('|n3'), true, 'the dead-lettered update left the previous row');

  await eventually(async () => ((await confirmedFlushLsn(db, slotOf(TOLERANT))) ?? 0n) >= afterAll, 'the slot to be confirmed past the dead letters');
  const stored = await storedFlushLsn(r.offsetStore, TOLERANT, topicPrefixFor(TOLERANT));
  assert.ok(((await confirmedFlushLsn(db, slotOf(TOLERANT))) ?? 0n) <= stored!, 'confirmed_flush_lsn never passes the stored offset');
});
