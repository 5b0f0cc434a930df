import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, RUN_ID, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PGCDC_VERSION } from '../../src/version.js';

const DB = 'pgcdc_it_rest_api';
const NAME = 'pgcdc_it_rest';
const SECRET = `pw-${RUN_ID}-Zq7`; // trust auth ignores it; it must never be shown
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
const prefix = topicPrefixFor(NAME);
const topic = `${prefix}.public.customers`;

function connectorConfig(name = NAME, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { name: _n, ...config } = testConnectorConfig(db, services, name, {
    'database.password': SECRET,
    'snapshot.mode': 'no_data',
    'plugin.name': 'pgoutput',
    'some.unknown.setting': 'x',
    'include.schema.changes': 'false',
    ...overrides,
  });
  return config;
}

async function waitForState(name: string, state: string): Promise<any> {
  let last: any;
  await eventually(async () => {
    last = (await worker.request('GET', `/connectors/${name}/status`)).body;
    return last?.connector?.state === state;
  }, `${name} to be ${state} (last status ${JSON.stringify(last)})`, 30_000);
  return last;
}

const idsIn = async (minId: number) =>
  readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.some((x) => x.value?.after?.id === minId), 30_000);

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE customers (id int PRIMARY KEY, name text)'));
  worker = new WorkerHttp(services, 'api');
  await worker.start();
});

after(async () => {
  await worker?.stop();
  await dropDatabase(services, DB);
});

test('GET /, connector plugins, plugin config and the OpenAPI description', async () => {
  const root = await worker.request('GET', '/');
  assert.equal(root.status, 200);
  assert.equal(root.body.version, PGCDC_VERSION);
  assert.equal(typeof root.body.kafka_cluster_id, 'string');

  const plugins = await worker.request('GET', '/connector-plugins');
  assert.deepEqual(plugins.body, [{ class: 'io.debezium.connector.postgresql.PostgresConnector', type: 'source', version: PGCDC_VERSION }]);

  const defs = await worker.request('GET', '/connector-plugins/PostgresConnector/config');
  assert.equal(defs.status, 200);
  assert.equal(defs.body.find((d: any) => d.name === 'database.password')?.type, 'PASSWORD');

  const doc = (await worker.request('GET', '/openapi.json')).body;
  assert.equal(doc.openapi, '3.1.0');
  const expected: [string, string][] = [
    ['/', 'get'], ['/connectors', 'get'], ['/connectors', 'post'], ['/connectors/{name}', 'get'], ['/connectors/{name}', 'delete'],
    ['/connectors/{name}/config', 'get'], ['/connectors/{name}/config', 'put'], ['/connectors/{name}/config', 'patch'],
    ['/connectors/{name}/status', 'get'], ['/connectors/{name}/pause', 'put'], ['/connectors/{name}/resume', 'put'],
    ['/connectors/{name}/stop', 'put'], ['/connectors/{name}/restart', 'post'], ['/connectors/{name}/offsets', 'get'],
    ['/connectors/{name}/offsets', 'patch'], ['/connectors/{name}/offsets', 'delete'], ['/connectors/{name}/topics', 'get'],
    ['/connector-plugins', 'get'], ['/connector-plugins/{type}/config/validate', 'put'], ['/openapi.json', 'get'],
  ];
  for (const [path, method] of expected) assert.ok(doc.paths[path]?.[method], `OpenAPI describes ${method.toUpperCase()} ${path}`);
  assert.ok(doc.paths['/connectors'].post.requestBody, 'POST /connectors documents its body');
  assert.ok(doc.paths['/connectors/{name}/status'].get.responses['200'].content['application/json'].schema.$ref);
});

test('validate answers in Kafka Connect shape: errors per key, warnings for unknown keys, password hidden', async () => {
  const ok = await worker.request('PUT', '/connector-plugins/io.debezium.connector.postgresql.PostgresConnector/config/validate', { name: NAME, ...connectorConfig() });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.name, 'io.debezium.connector.postgresql.PostgresConnector');
  assert.equal(ok.body.error_count, 0, JSON.stringify(ok.body.configs.filter((c: any) => c.value.errors.length)));
  assert.ok(Array.isArray(ok.body.groups) && ok.body.groups.length > 0);
  const pw = ok.body.configs.find((c: any) => c.definition.name === 'database.password');
  assert.equal(pw.value.value, '[hidden]');
  assert.deepEqual(ok.body.warnings.map((w: any) => w.key).sort(), ['include.schema.changes', 'some.unknown.setting']);

  const bad = await worker.request('PUT', '/connector-plugins/PostgresConnector/config/validate', {
    name: NAME, ...connectorConfig(), 'tasks.max': '2', 'snapshot.mode': 'sometimes', 'database.hostname': undefined, 'plugin.name': 'decoderbufs',
  });
  assert.equal(bad.status, 200);
  const failing = bad.body.configs.filter((c: any) => c.value.errors.length > 0).map((c: any) => c.definition.name).sort();
  assert.deepEqual(failing, ['database.hostname', 'plugin.name', 'snapshot.mode', 'tasks.max']);
  assert.equal(bad.body.error_count, 4);

  assert.equal((await worker.request('PUT', '/connector-plugins/FileStreamSource/config/validate', {})).status, 404);
});

test('create, list, expand, info, config and status of a Debezium config given as is', async () => {
  const created = await worker.request('POST', '/connectors', { name: NAME, config: connectorConfig() });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.body.tasks, [{ connector: NAME, task: 0 }]);
  assert.equal(created.body.type, 'source');
  assert.equal(created.body.name, NAME);
  assert.equal(created.body.config['database.password'], '[hidden]');
  assert.equal(created.body.config['topic.prefix'], prefix);
  assert.equal(created.body.config.name, NAME);

  const status = await waitForState(NAME, 'RUNNING');
  const version = (await worker.request('GET', '/')).body.version;
  assert.match(version, /^\d+\.\d+\.\d+/);
  assert.deepEqual(status.tasks, [{ id: 0, state: 'RUNNING', worker_id: worker.workerId, version }], 'Kafka Connect 4 shows the plugin version per task');
  assert.equal(status.connector.worker_id, worker.workerId);
  assert.equal(status.connector.version, version);
  assert.equal(status.type, 'source');
  assert.deepEqual(status.warnings.map((w: any) => w.key).sort(), ['include.schema.changes', 'some.unknown.setting'], 'unknown keys are listed, not silently ignored');

  assert.deepEqual((await worker.request('GET', '/connectors')).body, [NAME]);
  const expanded = (await worker.request('GET', '/connectors?expand=status&expand=info')).body;
  assert.equal(expanded[NAME].status.connector.state, 'RUNNING');
  assert.equal(expanded[NAME].info.config['database.password'], '[hidden]');
  assert.deepEqual(Object.keys((await worker.request('GET', '/connectors?expand=info')).body[NAME]), ['info']);
  const everything = await worker.request('GET', '/connectors?expand=everything');
  assert.equal(everything.status, 200, 'Kafka Connect ignores an unknown expansion');
  assert.deepEqual(everything.body, { [NAME]: {} });
  const both = await worker.request('GET', '/connectors?expand=everything&expand=status');
  assert.deepEqual(Object.keys(both.body[NAME]), ['status']);
  const deleteAll = await worker.request('DELETE', '/connectors');
  assert.equal(deleteAll.status, 405, 'a known path with a method it does not have');
  assert.deepEqual(deleteAll.body, { error_code: 405, message: 'HTTP 405 Method Not Allowed' });
  assert.equal((await worker.request('PATCH', `/connectors/${NAME}/status`)).status, 405);
  assert.equal((await worker.request('GET', '/connectors/no_such_connector/topics')).status, 404);

  const info = await worker.request('GET', `/connectors/${NAME}`);
  assert.deepEqual(Object.keys(info.body).sort(), ['config', 'name', 'tasks', 'type']);
  const config = (await worker.request('GET', `/connectors/${NAME}/config`)).body;
  assert.equal(config['database.password'], '[hidden]');
  assert.equal(config['some.unknown.setting'], 'x');

  await withClient(db, (c) => c.query(`INSERT INTO customers VALUES (1, 'one')`));
  await idsIn(1);
  const topics = await worker.request('GET', `/connectors/${NAME}/topics`);
  assert.deepEqual(topics.body, { [NAME]: { topics: [topic] } });
});

test('PUT and PATCH config: update keeps a [hidden] password, bad values are refused, PUT creates', async () => {
  const current = (await worker.request('GET', `/connectors/${NAME}/config`)).body;
  const updated = await worker.request('PUT', `/connectors/${NAME}/config`, { ...current, 'heartbeat.interval.ms': '60000' });
  assert.equal(updated.status, 200, updated.text);
  assert.equal(updated.body.config['heartbeat.interval.ms'], '60000');
  await waitForState(NAME, 'RUNNING');

  const patched = await worker.request('PATCH', `/connectors/${NAME}/config`, { 'some.unknown.setting': null, 'heartbeat.interval.ms': '30000' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal('some.unknown.setting' in patched.body.config, false, 'a null value removes the key');
  const status = await waitForState(NAME, 'RUNNING');
  assert.deepEqual(status.warnings.map((w: any) => w.key), ['include.schema.changes']);

  const refused = await worker.request('PATCH', `/connectors/${NAME}/config`, { 'tasks.max': '4', 'database.port': 'abc' });
  assert.equal(refused.status, 400);
  assert.deepEqual(refused.body.errors.map((e: any) => e.key).sort(), ['database.port', 'tasks.max']);
  assert.equal((await worker.request('GET', `/connectors/${NAME}/config`)).body['heartbeat.interval.ms'], '30000', 'a refused update changes nothing');

  // The stored password is still the real one: the connector keeps streaming after the updates.
  await withClient(db, (c) => c.query(`INSERT INTO customers VALUES (2, 'two')`));
  await idsIn(2);

  const other = 'pgcdc_it_rest_put';
  const put = await worker.request('PUT', `/connectors/${other}/config`, connectorConfig(other, { 'topic.prefix': `${prefix}_put` }));
  assert.equal(put.status, 201, put.text);
  await waitForState(other, 'RUNNING');
  assert.equal((await worker.request('DELETE', `/connectors/${other}`)).status, 204);
  assert.equal((await worker.request('GET', `/connectors/${other}`)).status, 404);
  assert.equal((await worker.request('PATCH', '/connectors/nope/config', { a: '1' })).status, 404);
});

test('pause, resume, stop; offsets change only when stopped; restart; tasks', async () => {
  assert.equal((await worker.request('PUT', `/connectors/${NAME}/pause`)).status, 202);
  const paused = (await worker.request('GET', `/connectors/${NAME}/status`)).body;
  assert.equal(paused.connector.state, 'PAUSED');
  assert.equal(paused.tasks[0].state, 'PAUSED');
  await withClient(db, (c) => c.query(`INSERT INTO customers VALUES (3, 'while paused')`));
  assert.equal((await worker.request('PUT', `/connectors/${NAME}/resume`, undefined, { headers: { 'content-type': 'application/json' } })).status, 202);
  await waitForState(NAME, 'RUNNING');
  await idsIn(3);

  const running = await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: prefix }, offset: { lsn: '1' } }] });
  assert.equal(running.status, 400);
  assert.match(running.body.message, /STOPPED/);
  assert.equal((await worker.request('DELETE', `/connectors/${NAME}/offsets`)).status, 400);

  assert.equal((await worker.request('PUT', `/connectors/${NAME}/stop`)).status, 204);
  const stopped = (await worker.request('GET', `/connectors/${NAME}/status`)).body;
  assert.equal(stopped.connector.state, 'STOPPED');
  assert.deepEqual(stopped.tasks, []);

  const offsets = (await worker.request('GET', `/connectors/${NAME}/offsets`)).body;
  assert.equal(offsets.offsets.length, 1);
  assert.deepEqual(offsets.offsets[0].partition, { server: prefix });
  const saved = offsets.offsets[0].offset;
  for (const key of ['lsn', 'lsn_proc', 'lsn_commit']) assert.equal(typeof saved[key], 'number', `${key} is a JSON number, as Debezium shows it`);
  assert.ok(saved.lsn > 0);

  const wrongPartition = await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: 'other' }, offset: saved }] });
  assert.equal(wrongPartition.status, 400);
  assert.equal((await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: prefix }, offset: { foo: 1 } }] })).status, 400);
  const reset = await worker.request('DELETE', `/connectors/${NAME}/offsets`);
  assert.equal(reset.status, 200);
  assert.deepEqual((await worker.request('GET', `/connectors/${NAME}/offsets`)).body, { offsets: [] });
  const altered = await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: prefix }, offset: saved }] });
  assert.equal(altered.status, 200, altered.text);
  assert.deepEqual((await worker.request('GET', `/connectors/${NAME}/offsets`)).body.offsets[0].offset, saved);
  // Debezium's own offset JSON (numbers, its keys only) is accepted and stored in pgcdc's form
  const debezium = { lsn_proc: saved.lsn_commit, lsn_commit: saved.lsn_commit, lsn: saved.lsn_commit, txId: saved.txId ?? 1, ts_usec: saved.ts_usec ?? 1, messageType: 'COMMIT' };
  const fromDebezium = await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: prefix }, offset: debezium }] });
  assert.equal(fromDebezium.status, 200, fromDebezium.text);
  const migrated = (await worker.request('GET', `/connectors/${NAME}/offsets`)).body.offsets[0].offset;
  assert.equal(migrated.lsn_commit, saved.lsn_commit);
  assert.equal(migrated.pgcdc_tx_complete, true, "Debezium's commit counts as delivered whole");
  const huge = await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: prefix }, offset: { ...debezium, lsn: 2 ** 60 } }] });
  assert.equal(huge.status, 400);
  assert.match(huge.body.message, /offset\.lsn is beyond 2\^53/);
  assert.equal((await worker.request('PATCH', `/connectors/${NAME}/offsets`, { offsets: [{ partition: { server: prefix }, offset: saved }] })).status, 200);

  assert.equal((await worker.request('PUT', `/connectors/${NAME}/resume`)).status, 202);
  await waitForState(NAME, 'RUNNING');
  assert.equal((await worker.request('POST', `/connectors/${NAME}/restart`)).status, 204);
  await waitForState(NAME, 'RUNNING');
  const withTasks = await worker.request('POST', `/connectors/${NAME}/restart?includeTasks=true&onlyFailed=false`);
  assert.equal(withTasks.status, 202);
  assert.equal(withTasks.body.name, NAME);
  assert.equal(withTasks.body.connector.state, 'RESTARTING', "Connect's restart plan");
  assert.deepEqual(withTasks.body.tasks.map((t: any) => t.state), ['RESTARTING']);
  await waitForState(NAME, 'RUNNING');
  const onlyFailed = await worker.request('POST', `/connectors/${NAME}/restart?onlyFailed=true`);
  assert.equal(onlyFailed.status, 202);
  assert.equal(onlyFailed.body.connector.state, 'RUNNING', 'a running connector is not restarted by onlyFailed');
  assert.equal((await worker.request('POST', `/connectors/${NAME}/restart?includeTasks=maybe`)).status, 400);

  await withClient(db, (c) => c.query(`INSERT INTO customers VALUES (4, 'after restarts')`));
  const records = await idsIn(4);
  for (const id of [1, 2, 3, 4]) assert.equal(records.filter((r) => r.value?.op === 'c' && r.value.after.id === id).length, 1, `row ${id} delivered once`);

  assert.equal((await worker.request('POST', `/connectors/${NAME}/tasks/0/restart`)).status, 204);
  await waitForState(NAME, 'RUNNING');
  assert.equal((await worker.request('POST', `/connectors/${NAME}/tasks/3/restart`)).status, 404);
  const tasks = (await worker.request('GET', `/connectors/${NAME}/tasks`)).body;
  assert.deepEqual(tasks[0].id, { connector: NAME, task: 0 });
  assert.equal(tasks[0].config['database.password'], '[hidden]');
  assert.equal((await worker.request('GET', `/connectors/${NAME}/tasks/0/status`)).body.state, 'RUNNING');
  assert.equal((await worker.request('GET', `/connectors/${NAME}/tasks/1/status`)).status, 404);
});

test('a connector that cannot start is FAILED with its trace, and the worker keeps serving', async () => {
  const name = 'pgcdc_it_rest_failing';
  const created = await worker.request('POST', '/connectors', { name, config: connectorConfig(name, { 'database.dbname': 'pgcdc_it_no_such_db', 'topic.prefix': `${prefix}_failing` }) });
  assert.equal(created.status, 201);
  const status = await waitForState(name, 'FAILED');
  assert.match(status.tasks[0].trace, /pgcdc_it_no_such_db/);
  assert.equal(status.tasks[0].state, 'FAILED');
  const again = await worker.request('POST', `/connectors/${name}/restart?onlyFailed=true&includeTasks=true`);
  assert.equal(again.status, 202);
  assert.equal(again.body.connector.state, 'RESTARTING', 'a FAILED connector is restarted by onlyFailed');
  assert.equal(again.body.connector.trace, undefined);
  await waitForState(name, 'FAILED');
  assert.equal((await worker.request('DELETE', `/connectors/${name}`)).status, 204);
  assert.equal((await worker.request('GET', '/')).status, 200);
});

test('the password appears in no response and no log line; SIGTERM exits 0', async () => {
  assert.equal((await worker.request('DELETE', `/connectors/${NAME}`)).status, 204);
  assert.deepEqual((await worker.request('GET', '/connectors')).body, []);
  const { code, ms } = await worker.stop('SIGTERM');
  assert.equal(code, 0, worker.output.slice(-2000));
  assert.ok(ms < 30_000, `stopped in ${ms} ms`);
  assert.ok(worker.responses.length > 40, `checked ${worker.responses.length} responses`);
  for (const text of worker.responses) assert.ok(!text.includes(SECRET), `a response shows the password: ${text.slice(0, 300)}`);
  assert.ok(worker.output.includes('connector created'), 'the log was captured');
  assert.ok(!worker.output.includes(SECRET), 'the password is in the worker log');
});
