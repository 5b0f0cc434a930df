import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics, type DecodedRecord } from '../harness/topics.js';
import { WorkerHttp } from '../harness/worker-http.js';

const DB = 'pgcdc_it_rest_restart';
const NAME = 'pgcdc_it_rest_resume';
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
const dir = mkdtempSync(join(tmpdir(), 'pgcdc-rest-restart-'));
const file = join(dir, `${NAME}.json`);
const topic = `${topicPrefixFor(NAME)}.public.orders`;

async function stateOf(w: WorkerHttp, name: string): Promise<string | undefined> {
  return (await w.request('GET', `/connectors/${name}/status`)).body?.connector?.state;
}

async function insert(from: number, to: number): Promise<void> {
  await withClient(db, async (c) => {
    // several transactions, so that offsets move between them
    for (let start = from; start <= to; start += 10) {
      await c.query(`INSERT INTO orders SELECT g, 'order ' || g FROM generate_series($1::int, $2::int) g`, [start, Math.min(start + 9, to)]);
    }
  });
}

const created = (records: DecodedRecord[], id: number) => records.filter((r) => r.value?.op === 'c' && r.value.after.id === id).length;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, DB);
  await withClient(db, (c) => c.query('CREATE TABLE orders (id int PRIMARY KEY, label text)'));
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'snapshot.mode': 'no_data' });
  writeFileSync(file, JSON.stringify({ name: NAME, config }));
  worker = new WorkerHttp(services, 'restart', { args: ['--load', dir] }); // a directory: its *.json files
  await worker.start();
});

after(async () => {
  await worker?.stop();
  await dropDatabase(services, DB);
});

test('a restarted worker resumes its connectors from their offsets, with no duplicates, and keeps target states', async () => {
  await eventually(async () => (await stateOf(worker, NAME)) === 'RUNNING', `${NAME} loaded from --load and RUNNING`);
  const stoppedConfig: Record<string, unknown> = { ...testConnectorConfig(db, services, 'pgcdc_it_rest_parked'), 'snapshot.mode': 'no_data' };
  delete stoppedConfig.name;
  assert.equal((await worker.request('POST', '/connectors', { name: 'pgcdc_it_rest_parked', config: stoppedConfig, initial_state: 'STOPPED' })).status, 201);
  assert.equal((await worker.request('POST', '/connectors', { name: 'pgcdc_it_rest_gone', config: stoppedConfig, initial_state: 'PAUSED' })).status, 201);
  assert.equal(await stateOf(worker, 'pgcdc_it_rest_gone'), 'PAUSED');
  assert.equal((await worker.request('DELETE', '/connectors/pgcdc_it_rest_gone')).status, 204);

  await insert(1, 50);
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => created(r, 50) > 0, 30_000);

  const { code, ms } = await worker.stop('SIGTERM');
  assert.equal(code, 0, worker.output.slice(-3000));
  assert.ok(ms < 30_000, `drained and exited in ${ms} ms`);
  assert.match(worker.output, /pgcdc worker stopped/);

  await insert(51, 100); // while no worker runs: the slot keeps these changes

  // The file now differs from the stored config: --load updates it (and the connector restarts).
  const definition = JSON.parse(readFileSync(file, 'utf8'));
  definition.config['heartbeat.interval.ms'] = '60000';
  writeFileSync(file, JSON.stringify(definition));
  worker.output = '';
  await worker.start(['--load', file]);
  assert.match(worker.output, /"outcome":"updated"/);
  assert.deepEqual((await worker.request('GET', '/connectors')).body, [NAME, 'pgcdc_it_rest_parked'].sort(), 'the deleted connector stays deleted');
  assert.equal(await stateOf(worker, 'pgcdc_it_rest_parked'), 'STOPPED', 'the target state survives the restart');
  assert.equal((await worker.request('GET', `/connectors/${NAME}/config`)).body['heartbeat.interval.ms'], '60000');
  await eventually(async () => (await stateOf(worker, NAME)) === 'RUNNING', `${NAME} RUNNING after the restart`);

  await insert(101, 120);
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => created(r, 120) > 0, 30_000);
  const counts = new Map<number, number>();
  for (let id = 1; id <= 120; id++) counts.set(id, created(records, id));
  const wrong = [...counts].filter(([, n]) => n !== 1);
  assert.deepEqual(wrong, [], 'every row exactly once across the worker restart ([id, times] listed when not)');
  assert.equal(records.filter((r) => r.value?.op === 'c').length, 120);

  // A worker started without --load still finds the connector in the config topic.
  worker.output = '';
  await worker.restart([]);
  assert.doesNotMatch(worker.output, /connector file loaded/);
  await eventually(async () => (await stateOf(worker, NAME)) === 'RUNNING', `${NAME} RUNNING from the config topic alone`);
});

test('standalone file store: PGCDC_CONFIG_FILE keeps connectors across restarts', async () => {
  const store = join(dir, 'configs.json');
  const local = new WorkerHttp(services, 'filestore', {
    env: { PGCDC_CONFIG_FILE: store, PGCDC_CONFIG_PROVIDERS: 'env', PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN: 'HOME|PGCDC_TEST_UNSET_SECRET' },
  });
  try {
    await local.start();
    const config: Record<string, unknown> = { ...testConnectorConfig(db, services, 'pgcdc_it_rest_file'), 'database.password': '${env:PGCDC_TEST_UNSET_SECRET}' };
    delete config.name;
    const answer = await local.request('POST', '/connectors', { name: 'pgcdc_it_rest_file', config, initial_state: 'STOPPED' });
    assert.equal(answer.status, 400, 'an unresolvable reference is refused');
    assert.match(answer.body.message, /PGCDC_TEST_UNSET_SECRET is not set/);
    config['database.password'] = '${env:HOME}';
    assert.equal((await local.request('POST', '/connectors', { name: 'pgcdc_it_rest_file', config, initial_state: 'STOPPED' })).status, 201);
    const stored = JSON.parse(readFileSync(store, 'utf8'));
    assert.equal(stored.pgcdc_it_rest_file.config['database.password'], '${env:HOME}', 'references are stored as written');
    assert.equal(stored.pgcdc_it_rest_file.target_state, 'STOPPED');
    assert.equal((await local.request('GET', '/connectors/pgcdc_it_rest_file/config')).body['database.password'], '${env:HOME}');
    await local.restart();
    assert.deepEqual((await local.request('GET', '/connectors')).body, ['pgcdc_it_rest_file']);
    assert.equal(await stateOf(local, 'pgcdc_it_rest_file'), 'STOPPED');
  } finally {
    await local.stop();
  }
});
