/**
 * Kafka Connect's /admin/loggers on a real worker process: levels are listed, a change really changes
 * what the worker logs (root and a connector's own logger), holds for a restarted connector, and bad
 * requests are refused naming what is wrong. Behind the REST credentials like every admin route.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';

const DB = 'pgcdc_it_rest_loggers';
const NAME = 'pgcdc_it_rest_loggers';
const TOKEN = 'loggers-test-token';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;

/** JSON log lines the worker wrote after `from` (an offset into its output). */
function linesSince(from: number): { level: number; msg: string; connector?: string }[] {
  return worker.output.slice(from).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE t (id int PRIMARY KEY, v text)'));
  worker = new WorkerHttp(services, 'rest-loggers', { env: { PGCDC_REST_TOKEN: TOKEN, PGCDC_LOG_LEVEL: 'info' }, authHeader: `Bearer ${TOKEN}` });
  await worker.start();
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME);
  assert.equal((await worker.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await worker.request('GET', `/connectors/${NAME}/status`)).body.connector.state === 'RUNNING', 'the connector to run', 60_000);
});

after(async () => {
  await worker?.request('DELETE', `/connectors/${NAME}`).catch(() => {});
  await worker?.stop();
  await dropDatabase(services, DB);
});

test('GET /admin/loggers lists root and the connector logger at the worker level; needs credentials', async () => {
  const all = await worker.request('GET', '/admin/loggers');
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.root, { level: 'INFO', last_modified: null });
  assert.deepEqual(all.body[`pgcdc.connector.${NAME}`], { level: 'INFO', last_modified: null });
  assert.equal((await fetch(`${worker.url}/admin/loggers`)).status, 401);
  assert.equal((await fetch(`${worker.url}/admin/loggers/root`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"level":"DEBUG"}' })).status, 401);
});

test('PUT root DEBUG makes the worker log debug lines; WARN silences info; answers the loggers changed', async () => {
  let from = worker.output.length;
  const set = await worker.request('PUT', '/admin/loggers/root', { level: 'debug' });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.body, ['root', `pgcdc.connector.${NAME}`]);
  await worker.request('GET', '/connectors');
  await eventually(async () => linesSince(from).some((l) => l.level === 20 && l.msg === 'REST request'), 'a debug line for the REST request');
  const root = (await worker.request('GET', '/admin/loggers/root')).body;
  assert.equal(root.level, 'DEBUG');
  assert.ok(typeof root.last_modified === 'number' && Math.abs(root.last_modified - Date.now()) < 60_000);

  assert.equal((await worker.request('PUT', '/admin/loggers/root', { level: 'WARN' })).status, 200);
  from = worker.output.length;
  assert.equal((await worker.request('POST', `/connectors/${NAME}/restart`)).status < 300, true);
  await eventually(async () => (await worker.request('GET', `/connectors/${NAME}/status`)).body.connector.state === 'RUNNING', 'the connector to run again', 60_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(linesSince(from).filter((l) => l.level < 40).map((l) => l.msg), [], 'no info or debug line at WARN');
});

test('a connector logger set to INFO under a WARN root logs its restart again; the level survives the restart', async () => {
  const name = `pgcdc.connector.${NAME}`;
  const set = await worker.request('PUT', `/admin/loggers/${name}`, { level: 'INFO' });
  assert.deepEqual(set.body, [name]);
  const from = worker.output.length;
  await worker.request('POST', `/connectors/${NAME}/restart`);
  await eventually(async () => linesSince(from).some((l) => l.level === 30 && l.connector === NAME), 'an info line of the connector');
  assert.ok(!linesSince(from).some((l) => l.level === 30 && l.connector === undefined), 'root stays at WARN');
  assert.equal((await worker.request('GET', `/admin/loggers/${name}`)).body.level, 'INFO');
  assert.equal((await worker.request('GET', '/admin/loggers/root')).body.level, 'WARN');
});

test('scope=cluster answers 204; bad level, missing level, unknown logger and scope are refused naming them', async () => {
  assert.equal((await worker.request('PUT', '/admin/loggers/root?scope=cluster', { level: 'INFO' })).status, 204);
  assert.equal((await worker.request('GET', '/admin/loggers/root')).body.level, 'INFO');
  const bad = await worker.request('PUT', '/admin/loggers/root', { level: 'LOUD' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /Invalid log level 'LOUD'/);
  const missing = await worker.request('PUT', '/admin/loggers/root', {});
  assert.equal(missing.status, 400);
  assert.match(missing.body.message, /'level' parameter was not specified/);
  const unknown = await worker.request('GET', '/admin/loggers/org.apache.kafka.connect');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.message, /Logger org\.apache\.kafka\.connect not found/);
  assert.equal((await worker.request('PUT', '/admin/loggers/pgcdc.connector.nope', { level: 'INFO' })).status, 404);
  const scope = await worker.request('PUT', '/admin/loggers/root?scope=galaxy', { level: 'INFO' });
  assert.equal(scope.status, 400);
  assert.match(scope.body.message, /scope/);
});
