// OpenLineage run events against the real stack and a worker process: a receiver (an HTTP server in
// this test) validates every event against OpenLineage's published JSON schema (vendored in
// test/fixtures/openlineage) and checks the datasets of the start, the snapshot's completion, a
// schema change (ADD COLUMN then an insert), a failure (walsender terminated: FAIL, then a new run),
// a breaking change left pending (its shape as input, no output; the run COMPLETEs at the pause);
// the file transport writes the same events (COMPLETE after a delete), only where the operator
// allows, never through a link; a receiver that is down costs dropped events, never the stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { freePort, WorkerHttp } from '../harness/worker-http.js';
import { terminateBackend, walsenderPid } from '../harness/slot-faults.js';
import { openLineageProblems } from '../harness/openlineage-schema.js';

const NAME = 'pgcdc_it_lineage';
const HTTP = `${NAME}_http`;
const FILE = `${NAME}_file`;
const LINK = `${NAME}_link`;
const DOWN = `${NAME}_down`;
/** the receiver's port, and one nothing listens on: both chosen by the OS at start (a fixed port in
 * the ephemeral range can be held by any outgoing connection) */
let RECEIVER_PORT = 0;
let DOWN_PORT = 0;
const TOKEN = 'lineage-tok-s3cr3t';

let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
let receiver: Server;
let dir: string;
/** events the receiver got, with the Authorization header they came with */
const received: { event: any; authorization: string | undefined }[] = [];

const sql = (text: string) => withClient(db, (c) => c.query(text));
const state = async (name: string) => (await worker.request('GET', `/connectors/${name}/status`)).body?.connector?.state;
const eventsOf = (name: string) => received.map((r) => r.event).filter((e) => e.job.namespace === topicPrefixFor(name) || e.job.name === `${topicPrefixFor(name)}.0`);
const fields = (list: any[], prefix = ''): string[] => list.flatMap((f) => [`${prefix}${f.name};${f.type}`, ...fields(f.fields ?? [], `${prefix}${f.name}.`)]);
const lineageConfig = (name: string, overrides: Record<string, unknown>) => {
  const { name: _n, ...config } = testConnectorConfig(db, services, name, { 'openlineage.integration.enabled': 'true', ...overrides });
  return config;
};
const register = async (name: string, config: Record<string, unknown>) => worker.request('POST', '/connectors', { name, config });
const metric = async (name: string, series: string) => {
  const m = new RegExp(`^${series}\\{connector="${name}"\\} (\\d+)$`, 'm').exec((await worker.request('GET', '/metrics')).text);
  return m ? Number(m[1]) : -1;
};

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, NAME);
  await sql(`CREATE TABLE items (id int PRIMARY KEY, title varchar(40) NOT NULL); CREATE TABLE other (id bigint PRIMARY KEY, v numeric(10,2));
             INSERT INTO items VALUES (1, 'a'), (2, 'b'); INSERT INTO other VALUES (1, 1.5)`);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/api/v1/lineage' && req.method === 'POST') received.push({ event: JSON.parse(body), authorization: req.headers.authorization });
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((done, fail) => {
    receiver.once('error', fail);
    receiver.listen(0, '127.0.0.1', () => done());
  });
  RECEIVER_PORT = (receiver.address() as { port: number }).port;
  DOWN_PORT = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'pgcdc-lineage-'));
  worker = new WorkerHttp(services, 'lineage', { env: { PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS: dir } });
  await worker.start();
});

after(async () => {
  // what the receiver got, to read (git-ignored)
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/lineage-events.json', JSON.stringify(received.map((r) => r.event), null, 1));
  for (const name of [HTTP, FILE, LINK, DOWN]) await worker?.request('DELETE', `/connectors/${name}`).catch(() => {});
  await worker?.stop();
  receiver?.close();
  await dropDatabase(services, NAME);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('HTTP receiver: START, snapshot completion, a schema change, FAIL and a new run, COMPLETE — every event valid OpenLineage', async () => {
  const prefix = topicPrefixFor(HTTP);
  const config = lineageConfig(HTTP, {
    'snapshot.mode': 'initial',
    'openlineage.integration.transport.url': `http://127.0.0.1:${RECEIVER_PORT}`,
    'openlineage.integration.transport.auth.token': TOKEN,
    'openlineage.integration.job.description': 'lineage integration test',
    'openlineage.integration.job.tags': 'env=test,team=cdc',
    'openlineage.integration.job.owners': 'Alice=maintainer',
  });
  assert.equal((await register(HTTP, config)).status, 201);
  await eventually(async () => (await state(HTTP)) === 'RUNNING', 'the connector RUNNING');
  const snapshotDone = (e: any) => e.eventType === 'RUNNING' && e.inputs.length === 2;
  await eventually(() => eventsOf(HTTP).some((e) => e.eventType === 'RUNNING' && e.inputs.length === 0 && e.outputs.length === 0), 'the streaming RUNNING event');

  const first = eventsOf(HTTP);
  assert.equal(first[0].eventType, 'START');
  const runId = first[0].run.runId;
  for (const e of first) {
    assert.deepEqual(openLineageProblems(e), [], `${e.eventType} ${JSON.stringify(e).slice(0, 300)}`);
    assert.equal(e.run.runId, runId, 'one run until something ends it');
    assert.deepEqual([e.job.namespace, e.job.name], [prefix, `${prefix}.0`]);
    assert.equal(e.job.facets.documentation.description, 'lineage integration test');
    assert.deepEqual(e.job.facets.tags.tags.map((t: any) => `${t.key}=${t.value}`), ['env=test', 'team=cdc']);
  }
  assert.ok(received.every((r) => r.authorization === `Bearer ${TOKEN}`), 'the token goes as a bearer header');
  const snap = first.find(snapshotDone);
  assert.ok(snap, `a snapshot-completion event in ${first.map((e) => e.eventType).join(',')}`);
  const pgNs = `postgres://${db.host}:${db.port}`;
  const kafkaNs = `kafka://${services.kafkaBrokers[0]}`;
  assert.deepEqual(snap.inputs.map((d: any) => `${d.namespace}/${d.name}`).sort(), [`${pgNs}/${db.database}.public.items`, `${pgNs}/${db.database}.public.other`]);
  assert.deepEqual(snap.outputs.map((d: any) => `${d.namespace}/${d.name}`).sort(), [`${kafkaNs}/${prefix}.public.items`, `${kafkaNs}/${prefix}.public.other`]);
  const items = snap.inputs.find((d: any) => d.name.endsWith('.items'));
  assert.deepEqual(fields(items.facets.schema.fields), ['id;int4', 'title;varchar']);
  const other = snap.inputs.find((d: any) => d.name.endsWith('.other'));
  assert.deepEqual(fields(other.facets.schema.fields), ['id;int8', 'v;numeric']);
  const itemsTopic = fields(snap.outputs.find((d: any) => d.name.endsWith('.items')).facets.schema.fields);
  for (const f of ['before;STRUCT', 'after.id;INT32', 'after.title;STRING', 'source.lsn;INT64', 'op;STRING']) assert.ok(itemsTopic.includes(f), `${f} in ${itemsTopic}`);

  // a schema change: registered when its first change streams
  await sql(`ALTER TABLE items ADD COLUMN extra text`);
  await sql(`INSERT INTO items VALUES (3, 'c', 'x')`);
  const changed = (e: any) => e.eventType === 'RUNNING' && e.inputs.length === 1 && fields(e.inputs[0].facets.schema.fields).includes('extra;text');
  await eventually(() => eventsOf(HTTP).some(changed), 'a RUNNING event with the new shape');
  const change = eventsOf(HTTP).find(changed);
  assert.deepEqual(openLineageProblems(change), []);
  assert.equal(change.inputs[0].name, `${db.database}.public.items`);
  assert.deepEqual(change.outputs.map((d: any) => d.name), [`${prefix}.public.items`]);
  assert.ok(fields(change.outputs[0].facets.schema.fields).includes('after.extra;STRING'), 'the output carries the registered version');

  // a failure: the walsender is terminated; the run FAILs, a new one STARTs
  const pid = await walsenderPid(db, HTTP.replace(/[^a-z0-9_]/g, '_'));
  assert.ok(pid, 'the connector streams');
  assert.ok(await terminateBackend(db, pid!));
  await eventually(() => eventsOf(HTTP).some((e) => e.eventType === 'FAIL'), 'a FAIL event');
  const fail = eventsOf(HTTP).find((e) => e.eventType === 'FAIL');
  assert.deepEqual(openLineageProblems(fail), []);
  assert.equal(fail.run.runId, runId);
  assert.equal(typeof fail.run.facets.errorMessage.message, 'string');
  assert.ok(fail.run.facets.errorMessage.message.length > 0);
  await eventually(() => eventsOf(HTTP).some((e) => e.eventType === 'START' && e.run.runId !== runId), 'a new run START');
  const second = eventsOf(HTTP).find((e) => e.eventType === 'START' && e.run.runId !== runId).run.runId;
  await eventually(async () => (await state(HTTP)) === 'RUNNING', 'RUNNING again');

  // a breaking change waits for a decision: its new shape as input, nothing registered (no output); the run ends (PAUSED)
  await sql(`ALTER TABLE items ALTER COLUMN title TYPE int USING length(title)`);
  await sql(`INSERT INTO items VALUES (4, 7, 'y')`);
  await eventually(async () => (await state(HTTP)) === 'PAUSED', 'PAUSED at the breaking change');
  const pendingShape = (e: any) => e.eventType === 'RUNNING' && e.run.runId === second && e.inputs.length === 1 && fields(e.inputs[0].facets.schema.fields).includes('title;int4');
  await eventually(() => eventsOf(HTTP).some(pendingShape), 'a RUNNING event with the pending shape');
  const pending = eventsOf(HTTP).find(pendingShape);
  assert.deepEqual(openLineageProblems(pending), []);
  assert.deepEqual(pending.outputs, [], 'a pending shape is not registered: no output dataset');
  await eventually(() => eventsOf(HTTP).some((e) => e.eventType === 'COMPLETE' && e.run.runId === second), 'a COMPLETE event for the second run');

  // delete: nothing is running, so no further event
  const before = eventsOf(HTTP).length;
  assert.equal((await worker.request('DELETE', `/connectors/${HTTP}`)).status, 204);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(eventsOf(HTTP).length, before);
  for (const e of eventsOf(HTTP)) assert.deepEqual(openLineageProblems(e), []);
  assert.ok(eventsOf(HTTP).every((e) => !JSON.stringify(e).includes(TOKEN) && !JSON.stringify(e).includes(String(db.password || '\u0000'))), 'no secret in any event');
  assert.ok(!worker.output.includes(TOKEN), 'the token is never logged');
  assert.ok(worker.responses.every((r) => !r.includes(TOKEN)), 'the token is in no REST answer');
});

test('file transport: events as JSON lines, only inside PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS and never through a link', async () => {
  const location = join(dir, 'lineage.jsonl');
  for (const [bad, key] of [
    [{ 'openlineage.integration.transport.type': 'file', 'openlineage.integration.transport.file.location': '/etc/pgcdc-lineage.jsonl' }, 'openlineage.integration.transport.file.location'],
    [{ 'openlineage.integration.transport.type': 'file', 'openlineage.integration.transport.file.location': `${dir}/../escaped.jsonl` }, 'openlineage.integration.transport.file.location'],
    [{ 'openlineage.integration.config.file.path': '/etc/passwd' }, 'openlineage.integration.config.file.path'],
  ] as const) {
    const res = await register(FILE, lineageConfig(FILE, { 'openlineage.integration.transport.url': `http://127.0.0.1:${RECEIVER_PORT}`, ...bad }));
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.match(res.text, new RegExp(key.replace(/\./g, '\\.')));
  }
  assert.ok(!existsSync(join(tmpdir(), 'escaped.jsonl')));

  assert.equal((await register(FILE, lineageConfig(FILE, {
    'snapshot.mode': 'no_data', 'openlineage.integration.transport.type': 'file', 'openlineage.integration.transport.file.location': location,
  }))).status, 201);
  const lines = () => (existsSync(location) ? readFileSync(location, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : []);
  await eventually(() => lines().some((e) => e.eventType === 'RUNNING' && e.inputs.length === 0), 'START and RUNNING in the file');
  assert.equal(lines()[0].eventType, 'START');
  for (const e of lines()) assert.deepEqual(openLineageProblems(e), []);
  assert.equal(lines()[0].job.name, `${topicPrefixFor(FILE)}.0`);
  // stop (DELETE) while streaming: the run COMPLETEs
  assert.equal((await worker.request('DELETE', `/connectors/${FILE}`)).status, 204);
  await eventually(() => lines().at(-1)?.eventType === 'COMPLETE', 'COMPLETE in the file after the delete');
  assert.equal(lines().at(-1).run.runId, lines()[0].run.runId);
  assert.deepEqual(openLineageProblems(lines().at(-1)), []);

  // a link inside the allowed directory pointing outside it: passes validation, is never written through
  const target = join(tmpdir(), `pgcdc-lineage-target-${process.pid}`);
  symlinkSync(target, join(dir, 'link.jsonl'));
  assert.equal((await register(LINK, lineageConfig(LINK, {
    'snapshot.mode': 'no_data', 'openlineage.integration.transport.type': 'file', 'openlineage.integration.transport.file.location': join(dir, 'link.jsonl'),
  }))).status, 201);
  await eventually(async () => (await metric(LINK, 'pgcdc_lineage_events_dropped_total')) >= 1, 'the event through the link dropped', 60_000);
  assert.ok(!existsSync(target), 'nothing written outside the allowed directory');
  assert.equal(await state(LINK), 'RUNNING');
});

test('a lineage receiver that is down: events dropped, counted and logged at warn; streaming goes on', async () => {
  const prefix = topicPrefixFor(DOWN);
  assert.equal((await register(DOWN, lineageConfig(DOWN, {
    'snapshot.mode': 'no_data', 'openlineage.integration.transport.url': `http://127.0.0.1:${DOWN_PORT}`, 'openlineage.integration.transport.timeout.ms': '500',
  }))).status, 201);
  await eventually(async () => (await state(DOWN)) === 'RUNNING', 'RUNNING with its receiver down');
  await sql(`INSERT INTO items SELECT g, g, 'x' FROM generate_series(100, 149) g`); // title is an int since the first test
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [`${prefix}.public.items`], (r) => r.filter((x) => x.value?.op === 'c').length >= 50, 30_000);
  assert.equal(records.filter((x) => x.value?.op === 'c').length, 50);
  await eventually(async () => (await metric(DOWN, 'pgcdc_lineage_events_dropped_total')) >= 1, 'a dropped lineage event counted', 60_000);
  assert.match(worker.output, /lineage event could not be delivered; dropped/);
  assert.equal(await state(DOWN), 'RUNNING');
});
