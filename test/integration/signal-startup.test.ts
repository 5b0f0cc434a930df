// Guarantee: SIGTERM at any moment of a worker's start-up (before or while its connectors start)
// stops cleanly: what started drains and stores its offset, the worker logs "pgcdc worker stopped"
// and exits 0, and the next start emits no duplicates.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { readChangeTopics } from '../harness/fault-checks.js';

const NAME = 'pgcdc_it_signal_startup';
let worker: WorkerHttp | undefined;

after(async () => {
  await worker?.stop('SIGKILL');
  await dropDatabase(await testServices(), NAME);
});

test('SIGTERM during start-up: exit 0, "stopped" logged, no duplicates on the next start', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, v text)`));
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME);
  const topic = `${topicPrefixFor(NAME)}.public.items`;
  const w = (worker = new WorkerHttp(services, 'signalstartup'));
  await w.start();
  assert.equal((await w.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await w.request('GET', `/connectors/${NAME}/status`)).body?.connector?.state === 'RUNNING', 'connector RUNNING', 60_000);
  let next = 1;
  const insert = (n: number) => withClient(db, async (c) => {
    for (let i = 0; i < n; i++, next++) await c.query('INSERT INTO items VALUES ($1, $2)', [next, `v${next}`]);
  });
  await insert(20);
  await eventually(async () => (await readChangeTopics(services.kafkaBrokers, services.registryUrl, [topic])).length >= 20, '20 events', 60_000);
  assert.equal((await w.stop('SIGTERM')).code, 0);

  // SIGTERM at moments spread over start-up: before Kafka is reached, while the stored connector
  // starts, while it sets up streaming. Each run has rows waiting for it.
  // (Node itself needs ~0.1 s before any JavaScript runs; a signal before that cannot be handled by any program.)
  const delays = [300, 600, 1000, 1500, 2000, 2500];
  const outcomes: { delayMs: number; code: number | null; ms: number; started: boolean }[] = [];
  for (const delayMs of delays) {
    await insert(5);
    w.output = '';
    w.spawn();
    await new Promise((r) => setTimeout(r, delayMs));
    const { code, ms } = await w.stop('SIGTERM');
    outcomes.push({ delayMs, code, ms, started: w.output.includes('pgcdc worker started') });
    assert.equal(code, 0, `exit code after SIGTERM ${delayMs} ms into start-up:\n${w.output.slice(-3000)}`);
    assert.match(w.output, /pgcdc worker stopped/, `"stopped" logged after SIGTERM ${delayMs} ms into start-up`);
    assert.doesNotMatch(w.output, /"guard":"unhandled"/);
  }
  console.log(JSON.stringify(outcomes));

  await insert(5);
  await w.start();
  const total = next - 1;
  await eventually(async () => (await readChangeTopics(services.kafkaBrokers, services.registryUrl, [topic])).length >= total, `${total} events`, 60_000);
  await new Promise((r) => setTimeout(r, 2000)); // anything re-sent would arrive by now
  const records = await readChangeTopics(services.kafkaBrokers, services.registryUrl, [topic]);
  const ids = records.map((r) => (r.key as { id: number }).id);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(duplicates, [], 'no event twice across the interrupted start-ups');
  assert.equal(new Set(ids).size, total, 'every row arrived');
  assert.equal((await w.stop('SIGTERM')).code, 0);
});
