// Guarantee: terminating the connector's walsender (pg_terminate_backend: a failover, a PostgreSQL
// restart, a DBA killing the session) affects only that connector: it goes RESTARTING and back to
// RUNNING, the worker process never exits, nothing is lost, and no error goes unhandled (the
// worker runs with PGCDC_EXIT_ON_UNHANDLED=1, so an unhandled 'error' event or rejection would end
// it with exit code 70 and its guard line in the log).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { WorkerHttp } from '../harness/worker-http.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { ItemWrites, terminateBackend, walsenderPid } from '../harness/slot-faults.js';

const NAME = 'pgcdc_it_fault_walsender_worker';
const TERMINATIONS = 20;
let worker: WorkerHttp | undefined;
let oracle: PgOracle | undefined;
let writes: ItemWrites[] = [];

after(async () => {
  for (const w of writes) await w.stop();
  await worker?.stop('SIGKILL');
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

test(`walsender terminated ${TERMINATIONS} times under writes: the worker process stays up, the connector returns to RUNNING each time, nothing lost`, async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL, n int NOT NULL DEFAULT 0)`));
  const { name: _n, ...config } = testConnectorConfig(db, services, NAME, { 'errors.retry.delay.initial.ms': '100', 'errors.retry.delay.max.ms': '1000' });
  const slot = config['slot.name'] as string;
  const w = (worker = new WorkerHttp(services, 'walsenderworker'));
  await w.start();
  const status = async () => (await w.request('GET', `/connectors/${NAME}/status`)).body?.connector as { state: string; trace?: string } | undefined;
  assert.equal((await w.request('POST', '/connectors', { name: NAME, config })).status, 201);
  await eventually(async () => (await status())?.state === 'RUNNING', 'connector RUNNING', 60_000);

  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });
  // Three writers without pauses keep a batch in flight to Kafka most of the time: a termination
  // then lands while the connector is still draining, the window in which the dead connection's
  // late 'error' event used to find no listener and end the process.
  writes = [new ItemWrites(db, 1, 0), new ItemWrites(db, 10_000_000, 0), new ItemWrites(db, 20_000_000, 0)];
  for (const writer of writes) writer.start();

  const pids: number[] = [];
  const traces = new Set<string>();
  const t0 = Date.now();
  for (let i = 0; i < TERMINATIONS; i++) {
    // streaming again: RUNNING with a walsender we have not terminated yet
    await eventually(async () => {
      const s = await status();
      if (s?.trace) traces.add(s.trace);
      const pid = await walsenderPid(db, slot);
      return s?.state === 'RUNNING' && pid !== null && !pids.includes(pid);
    }, `RUNNING with a new walsender for slot ${slot} after ${i} terminations (${JSON.stringify(await status())}):\n${w.output.slice(-3000)}`, 60_000);
    await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 600))); // stream for a moment, at a random point
    const pid = (await walsenderPid(db, slot))!;
    pids.push(pid);
    assert.ok(await terminateBackend(db, pid), `walsender ${pid} terminated`);
    const s = await status(); // throws if the worker process is gone
    if (s?.trace) traces.add(s.trace);
  }
  await eventually(async () => (await status())?.state === 'RUNNING' && (await walsenderPid(db, slot)) !== null, 'streaming after the last termination', 60_000);
  let committed = 0;
  for (const writer of writes) committed += await writer.stop();
  console.log(JSON.stringify({ terminations: pids.length, ms: Date.now() - t0, committed, traces: [...traces].slice(0, 3) }));
  assert.ok(committed > 100, `writes went on throughout (${committed} transactions)`);
  // every termination went through RESTARTING with the reason logged (the status shows it while it lasts)
  const interruptions = w.output.split('\n').filter((l) => l.includes('connector interrupted; retrying') && /terminat|57P01/i.test(l));
  assert.ok(interruptions.length >= TERMINATIONS, `${interruptions.length} restarts logged naming the termination, for ${TERMINATIONS} terminations`);

  await oracle.converge(db, ['public.items'], 120_000);
  const stopped = await w.stop('SIGTERM');
  assert.equal(stopped.code, 0, `the worker exits 0 on SIGTERM after the terminations:\n${w.output.slice(-3000)}`);
  assert.doesNotMatch(w.output, /"guard":"unhandled"|Unhandled 'error' event|uncaught exception/i, 'no unhandled error or rejection in the worker log');
});
