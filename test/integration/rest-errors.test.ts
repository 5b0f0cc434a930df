import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openKafka } from '../../src/kafka/client.js';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp, type HttpAnswer } from '../harness/worker-http.js';

const DB = 'pgcdc_it_rest_errors';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;

/** A Debezium PostgreSQL connector config as Debezium's documentation writes it. */
function debeziumConfig(name: string): Record<string, unknown> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'tasks.max': '1',
    'database.hostname': db.host,
    'database.port': String(db.port),
    'database.user': db.user,
    'database.password': 'postgres',
    'database.dbname': db.database,
    'topic.prefix': topicPrefixFor(name),
    'plugin.name': 'pgoutput',
    'slot.name': name,
    'publication.name': `${name}_pub`,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': 'public.items',
    'snapshot.mode': 'initial',
    'tombstones.on.delete': 'true',
    'decimal.handling.mode': 'precise',
    'heartbeat.interval.ms': '10000',
    'key.converter': 'io.confluent.connect.avro.AvroConverter',
    'key.converter.schema.registry.url': services.registryUrl,
    'value.converter': 'io.confluent.connect.avro.AvroConverter',
    'value.converter.schema.registry.url': services.registryUrl,
  };
}

function assertError(answer: HttpAnswer, status: number, pattern: RegExp, what: string): void {
  assert.equal(answer.status, status, `${what}: ${answer.text}`);
  assert.equal(answer.body?.error_code, status, `${what}: error_code`);
  assert.match(answer.body.message, pattern, what);
}

/** The slot exists and no walsender holds it (the backend exits a moment after the connection closes). */
async function slotInactive(slot: string, what: string): Promise<void> {
  let rows: unknown[] = [];
  await eventually(async () => {
    rows = (await withClient(db, (c) => c.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]))).rows;
    return rows.length === 1 && (rows[0] as { active: boolean }).active === false;
  }, what, 10_000).catch((e: Error) => assert.fail(`${e.message}; slot rows: ${JSON.stringify(rows)}`));
}

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, label text)'));
  worker = new WorkerHttp(services, 'errors');
  await worker.start();
});

after(async () => {
  await worker?.stop();
  await dropDatabase(services, DB);
});

test('malformed, mistyped, oversized and unknown input get a 4xx with a clear message', async () => {
  const post = (raw: string, contentType = 'application/json') => worker.request('POST', '/connectors', undefined, { raw, headers: { 'content-type': contentType } });
  assertError(await post('{"name": "x", '), 400, /Malformed JSON/, 'malformed JSON');
  assertError(await post('name=x', 'text/plain'), 415, /application\/json/, 'text/plain body');
  assertError(await post('name=x', 'application/x-www-form-urlencoded'), 415, /application\/json/, 'form body');
  assertError(await post(JSON.stringify({ name: 'big', config: { x: 'a'.repeat(1024 * 1024 + 10) } })), 413, /larger than the limit of 1048576 bytes/, 'oversized body');
  assertError(await post('{"name":"x","config":{},"__proto__":{"polluted":true}}'), 400, /./, 'prototype poisoning');
  assertError(await worker.request('POST', '/connectors'), 400, /body/, 'no body');
  assertError(await worker.request('POST', '/connectors', { name: 'x', config: {}, extra: 1 }), 400, /unknown key "extra"/, 'unknown body key');
  assertError(await worker.request('POST', '/connectors', { config: {} }), 400, /required key "name"/, 'missing name');
  assertError(await worker.request('POST', '/connectors', { name: 5, config: {} }), 400, /body\.name must be string/, 'numeric name');
  assertError(await worker.request('POST', '/connectors', { name: 'x', config: ['a'] }), 400, /body\.config must be object/, 'config array');
  assertError(await worker.request('POST', '/connectors', { name: 'x', config: {}, initial_state: 'SLEEPING' }), 400, /initial_state must be one of: RUNNING, PAUSED, STOPPED/, 'initial_state');
  const objectValue = await worker.request('POST', '/connectors', { name: 'typed', config: { ...debeziumConfig('typed'), 'database.port': { n: 5432 }, 'custom.thing': [1] } });
  assertError(objectValue, 400, /database\.port/, 'object config value');
  assert.deepEqual(objectValue.body.errors.map((e: any) => e.key).sort(), ['custom.thing', 'database.port']);
  const mismatch = await worker.request('POST', '/connectors', { name: 'one', config: { ...debeziumConfig('one'), name: 'two' } });
  assertError(mismatch, 400, /doesn't match/, 'config name differs');

  for (const name of ['a/b', 'a\\b', '..', 'a\u0001b', 'has space', 'x'.repeat(201)]) {
    assertError(await worker.request('POST', '/connectors', { name, config: debeziumConfig('p') }), 400, /Invalid connector name/, `name ${JSON.stringify(name)}`);
  }
  for (const path of ['a%2Fb', 'a%5Cb', '%01x', 'a%20b', 'x'.repeat(300)]) {
    assertError(await worker.request('GET', `/connectors/${path}/status`), 400, /Invalid connector name/, `path name ${path}`);
  }

  for (const [method, suffix] of [
    ['GET', ''], ['GET', '/status'], ['GET', '/config'], ['PUT', '/pause'], ['PUT', '/resume'], ['PUT', '/stop'], ['POST', '/restart'],
    ['DELETE', ''], ['GET', '/offsets'], ['DELETE', '/offsets'], ['GET', '/topics'], ['GET', '/tasks'],
  ] as const) {
    assertError(await worker.request(method, `/connectors/nope${suffix}`), 404, /^Connector nope not found$/, `${method} ${suffix} of an unknown connector`);
  }
  assertError(await worker.request('GET', '/no/such/endpoint'), 404, /Unknown endpoint/, 'unknown endpoint');
  assertError(await worker.request('GET', '/connectors?expnd=status'), 400, /Unknown query parameter/, 'unknown query parameter');
  assertError(await worker.request('PUT', '/connector-plugins/PostgresConnector/config/validate', ['x']), 400, /must be object/, 'validate body array');

  const root = await worker.request('GET', '/');
  assert.equal(root.status, 200, 'the worker keeps serving');
  assert.deepEqual((await worker.request('GET', '/connectors')).body, [], 'no bad request created anything');
});

test('an invalid config is refused listing every error, and creates no slot, publication or topic', async () => {
  const name = 'pgcdc_it_rest_invalid';
  const config: Record<string, unknown> = {
    ...debeziumConfig(name),
    'tasks.max': '3',
    'plugin.name': 'decoderbufs',
    'snapshot.mode': 'bogus',
    'database.port': 'not-a-port',
    'unknown.key': 'kept as a warning',
  };
  delete config['database.user'];
  const answer = await worker.request('POST', '/connectors', { name, config });
  assertError(answer, 400, /contains the following 5 error\(s\)/, 'invalid config');
  const keys = answer.body.errors.map((e: any) => e.key).sort();
  assert.deepEqual(keys, ['database.port', 'database.user', 'plugin.name', 'snapshot.mode', 'tasks.max']);
  for (const key of keys) assert.match(answer.body.message, new RegExp(key.replace('.', '\\.')), `the message names ${key}`);
  assert.deepEqual(answer.body.warnings.map((w: any) => w.key), ['unknown.key']);

  assert.equal((await worker.request('GET', `/connectors/${name}`)).status, 404);
  const created = await withClient(db, async (c) => ({
    slots: (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [name])).rowCount,
    publications: (await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [`${name}_pub`])).rowCount,
  }));
  assert.deepEqual(created, { slots: 0, publications: 0 });
  assert.deepEqual((await openKafka({ clientId: 'pgcdc-test', brokers: services.kafkaBrokers }).listTopics()).filter((t) => t.startsWith(topicPrefixFor(name))), []);
});

test('a Debezium config is accepted as is, and of concurrent creates of one name exactly one wins', async () => {
  const name = 'pgcdc_it_rest_race';
  const answers = await Promise.all(Array.from({ length: 8 }, () => worker.request('POST', '/connectors', { name, config: debeziumConfig(name) })));
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409], answers.map((a) => a.text).join('\n'));
  for (const a of answers.filter((x) => x.status === 409)) assertError(a, 409, new RegExp(`^Connector ${name} already exists$`), 'losing create');
  assertError(await worker.request('POST', '/connectors', { name, config: debeziumConfig(name) }), 409, /already exists/, 'create again');
  assert.deepEqual((await worker.request('GET', '/connectors')).body, [name]);

  let status: any;
  await eventually(async () => {
    status = (await worker.request('GET', `/connectors/${name}/status`)).body;
    return status.connector.state === 'RUNNING';
  }, 'the Debezium-configured connector to run');
  assert.deepEqual(status.warnings, [], 'every key of this Debezium config is implemented');
  assert.equal((await worker.request('DELETE', `/connectors/${name}`)).status, 204);
  await slotInactive(name, 'deleting stops the connector and keeps its slot (slot.drop.on.stop=false)');
});

test('pause, resume and delete right after create complete (no stop lost while the connector starts)', async () => {
  const name = 'pgcdc_it_rest_quick';
  const started = Date.now();
  assert.equal((await worker.request('POST', '/connectors', { name, config: { ...debeziumConfig(name), 'snapshot.mode': 'no_data' } })).status, 201);
  assert.equal((await worker.request('PUT', `/connectors/${name}/pause`)).status, 202);
  assert.equal((await worker.request('GET', `/connectors/${name}/status`)).body.connector.state, 'PAUSED');
  assert.equal((await worker.request('PUT', `/connectors/${name}/resume`)).status, 202);
  assert.equal((await worker.request('POST', `/connectors/${name}/restart`)).status, 204);
  assert.equal((await worker.request('DELETE', `/connectors/${name}`)).status, 204);
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  await slotInactive(name, 'the replication connection is closed');
});
