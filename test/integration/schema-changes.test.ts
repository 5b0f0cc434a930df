// Guarantees of schema.change.policy=pause (the default), against the real stack and a worker
// process: an additive change streams on; a breaking one (here inside a transaction, between
// changes) pauses before the first change with the new shape — none of it is on the topic, the
// stored offset stands before it — with the diff in status, /metrics and GET schema-changes; a
// worker restart keeps it pending; approve registers it and resumes with no gap and no duplicate,
// and the reference loader's copy equals the source; skip-table removes a table from capture.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { testServices, type TestServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { readTopics, type DecodedRecord } from '../harness/topics.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { readChangeTopics } from '../harness/fault-checks.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const NAME = 'pgcdc_it_schema_changes';
const prefix = topicPrefixFor(NAME);
const topic = `${prefix}.public.items`;
let services: TestServices;
let db: pg.ClientConfig;
let worker: WorkerHttp;
let oracle: PgOracle | undefined;
let hook: Server;
/** alert webhook POSTs received */
const received: any[] = [];

const sql = (text: string) => withClient(db, (c) => c.query(text));
const status = async () => (await worker.request('GET', `/connectors/${NAME}/status`)).body;
const creates = (records: DecodedRecord[], id: number) => records.filter((r) => r.value?.op === 'c' && Number(r.value.after.id) === id);
/** Every record the topic holds now (up to its end offsets). */
function readAll(name: string): Promise<DecodedRecord[]> {
  return readChangeTopics(services.kafkaBrokers, services.registryUrl, [name]);
}
const versions = async (subject: string) => ((await (await fetch(`${services.registryUrl}/subjects/${subject}/versions`)).json()) as number[]).length;

before(async () => {
  services = await testServices();
  db = await freshDatabase(services, NAME);
  await sql(`CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL, note text); CREATE TABLE other (id int PRIMARY KEY, v int NOT NULL)`);
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
  worker = new WorkerHttp(services, 'schemachanges', { env: { PGCDC_METRICS_INTERVAL_MS: '250' } });
  await worker.start();
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, {
    'snapshot.mode': 'no_data',
    'alert.webhook.url': `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
  });
  assert.equal((await worker.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await status())?.connector?.state === 'RUNNING', 'the connector RUNNING');
});

after(async () => {
  await oracle?.close();
  await worker?.stop();
  hook?.close();
  await dropDatabase(services, NAME);
});

test('additive flows on; breaking pauses before the new shape; restart keeps it; approve resumes with no gap and no duplicate', async () => {
  for (let i = 1; i <= 40; i += 10) await sql(`INSERT INTO items SELECT g, g, 'n' || g FROM generate_series(${i}, ${i + 9}) g`);
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => creates(r, 40).length > 0, 30_000);
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: prefix });

  // additive: a nullable column
  await sql(`ALTER TABLE items ADD COLUMN extra text`);
  await sql(`INSERT INTO items SELECT g, g, 'n', 'x' || g FROM generate_series(41, 50) g`);
  await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => creates(r, 50).length > 0, 30_000);
  assert.equal((await status()).connector.state, 'RUNNING', 'an additive change does not pause');
  assert.equal(await versions(`${topic}-value`), 2);
  assert.match((await worker.request('GET', '/metrics')).text, new RegExp(`pgcdc_schema_changes_total\\{connector="${NAME}",classification="additive",outcome="registered"\\} 1`));

  // breaking, in the middle of a transaction: 5 changes with the old shape, the retype, 5 with the new one
  await withClient(db, async (c) => {
    await c.query('BEGIN');
    await c.query(`INSERT INTO items SELECT g, g, 'n', 'x' FROM generate_series(51, 55) g`);
    await c.query(`ALTER TABLE items ALTER COLUMN qty TYPE text`);
    await c.query(`INSERT INTO items SELECT g, 'q' || g, 'n', 'x' FROM generate_series(56, 60) g`);
    await c.query('COMMIT');
  });
  await sql(`INSERT INTO items SELECT g, 'q' || g, 'n', 'x' FROM generate_series(61, 70) g`);
  await eventually(async () => (await status()).connector.state === 'PAUSED', 'PAUSED at the breaking change');
  const paused = await status();
  assert.match(paused.connector.trace, /breaking schema change of public\.items/);
  assert.match(paused.connector.trace, /column "qty" changed type from int to string/);
  const id: string = paused.schema_change_pending.id;
  assert.equal(paused.schema_change_pending.table, 'public.items');
  assert.deepEqual(paused.schema_change_pending.registry, [
    { subject: `${topic}-key`, compatible: true },
    { subject: `${topic}-value`, compatible: false },
  ]);
  const listed = (await worker.request('GET', `/connectors/${NAME}/schema-changes`)).body;
  assert.equal(listed.pending.id, id);
  const qty = listed.pending.changes.find((c: { column: string }) => c.column === 'qty');
  assert.deepEqual([qty.kind, qty.classification, qty.before.type, qty.after.type], ['type-changed', 'breaking', 'int', 'string']);
  assert.match((await worker.request('GET', '/metrics')).text, new RegExp(`pgcdc_schema_changes_pending\\{connector="${NAME}"\\} 1`));
  assert.equal((await worker.request('GET', '/ready')).status, 503, 'a connector paused at a schema change needs attention');
  await eventually(async () => received.some((r) => r.alert === 'schema_change_pending' && r.status === 'firing' && r.id === id), 'the alert webhook told of the pending change');
  const fired = received.find((r) => r.alert === 'schema_change_pending' && r.status === 'firing');
  assert.equal(fired.connector, NAME);
  assert.equal(fired.table, 'public.items');
  assert.deepEqual(fired.registry, paused.schema_change_pending.registry);
  assert.ok(fired.changes.some((c: { column: string; kind: string }) => c.column === 'qty' && c.kind === 'type-changed'), JSON.stringify(fired.changes));
  assert.equal(fired.decide, `/connectors/${NAME}/schema-changes/${id}/{approve|skip-table|reject}`);

  // nothing with the new shape was delivered; the stored offset stands after the 5 old-shape changes
  await new Promise((r) => setTimeout(r, 1500));
  const settled = await readAll(topic);
  for (let i = 51; i <= 55; i++) assert.equal(creates(settled, i).length, 1, `old-shape row ${i} delivered once`);
  for (let i = 56; i <= 70; i++) assert.equal(creates(settled, i).length, 0, `row ${i} (new shape) not delivered while paused`);
  assert.equal(await versions(`${topic}-value`), 2, 'the new shape is not registered while paused');
  const offset = (await worker.request('GET', `/connectors/${NAME}/offsets`)).body.offsets[0].offset;
  assert.equal(offset.pgcdc_tx_changes, 5);
  assert.equal(offset.pgcdc_tx_complete, false);

  // a worker restart keeps the pending change (and the pause)
  await worker.restart();
  await eventually(async () => (await status())?.schema_change_pending?.id === id, 'the same change pending after the restart');
  assert.equal((await status()).connector.state, 'PAUSED');
  assert.equal((await worker.request('POST', `/connectors/${NAME}/schema-changes/0000/approve`)).status, 404, 'a decision names the pending change');

  const approved = await worker.request('POST', `/connectors/${NAME}/schema-changes/${id}/approve`);
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.body.decision, 'approved');
  await eventually(async () => (await status()).connector.state === 'RUNNING', 'RUNNING after approve');
  await eventually(async () => received.some((r) => r.alert === 'schema_change_pending' && r.status === 'resolved' && r.id === id), 'the webhook told the change was decided');
  // once per worker process: the restarted worker announces the still-pending change again (same id)
  assert.equal(received.filter((r) => r.alert === 'schema_change_pending' && r.status === 'firing' && r.id === id).length, 2, 'announced once before and once after the worker restart');
  assert.equal((await worker.request('POST', `/connectors/${NAME}/schema-changes/${id}/approve`)).status, 409, 'a decision applies to one change, once');
  assert.equal(await versions(`${topic}-value`), 3);
  const globalConfig = await (await fetch(`${services.registryUrl}/config/${topic}-value`)).json();
  assert.notEqual((globalConfig as { compatibilityLevel: string }).compatibilityLevel, undefined);

  const all = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => creates(r, 70).length > 0, 30_000);
  const wrong: [number, number][] = [];
  for (let i = 1; i <= 70; i++) if (creates(all, i).length !== 1) wrong.push([i, creates(all, i).length]);
  assert.deepEqual(wrong, [], 'every row exactly once across pause, restart and approve ([id, times] when not)');
  assert.equal(creates(all, 56)[0]!.value!.after.qty, 'q56', 'the new shape after approve');
  await oracle.converge(db, ['public.items']);
  const decisions = (await worker.request('GET', `/connectors/${NAME}/schema-changes`)).body;
  assert.equal(decisions.pending, null);
  assert.equal(decisions.decisions.at(-1).id, id);
});

test('skip-table: a breaking change of a table can be answered by removing the table from capture', async () => {
  await sql(`INSERT INTO other VALUES (1, 1)`);
  const otherTopic = `${prefix}.public.other`;
  await readTopics(services.kafkaBrokers, services.registryUrl, [otherTopic], (r) => r.length > 0, 30_000);
  await sql(`ALTER TABLE other DROP COLUMN v`);
  await sql(`INSERT INTO other VALUES (2)`);
  await eventually(async () => (await status()).connector.state === 'PAUSED', 'PAUSED at the dropped NOT NULL column');
  const pending = (await status()).schema_change_pending;
  assert.equal(pending.table, 'public.other');
  assert.match(pending.changes.join(' '), /NOT NULL column "v" dropped/);
  const skipped = await worker.request('POST', `/connectors/${NAME}/schema-changes/${pending.id}/skip-table`);
  assert.equal(skipped.status, 200, skipped.text);
  await eventually(async () => (await status()).connector.state === 'RUNNING', 'RUNNING after skip-table');
  await sql(`INSERT INTO other VALUES (3); INSERT INTO items VALUES (71, 'q', 'n', 'x')`);
  const items = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => creates(r, 71).length > 0, 30_000);
  assert.equal(creates(items, 71).length, 1, 'other tables keep streaming');
  const other = await readAll(otherTopic);
  assert.deepEqual(other.filter((r) => r.value?.op === 'c').map((r) => Number(r.value!.after.id)), [1], 'nothing of the skipped table after the change');
  const state = (await worker.request('GET', `/connectors/${NAME}/schema-changes`)).body;
  assert.deepEqual(state.skipped_tables, ['public.other']);
  assert.equal(state.decisions.at(-1).decision, 'skipped-table');
});
