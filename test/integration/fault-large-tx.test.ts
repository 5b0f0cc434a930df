// Guarantee: a single 1,000,000-row transaction streams with bounded memory (the real worker
// process's peak RSS, VmHWM, stays under 300 MB: back-pressure pauses the replication socket) and
// loses nothing: the copy the reference loader rebuilds from the topic equals the source.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig, topicPrefixFor } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';
import { WorkerProcess } from '../harness/worker-process.js';
import { slotConfirmed } from '../harness/chaos-run.js';

const NAME = 'pgcdc_it_fault_large_tx';
const ROWS = 1_000_000;
const RSS_LIMIT_MB = 300;
let worker: WorkerProcess | undefined;
let oracle: PgOracle | undefined;

after(async () => {
  await worker?.kill('SIGKILL');
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

/** The process's peak resident set so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(line!.replace(/\D+/g, '')) / 1024;
}

test(`one ${ROWS}-row transaction: worker peak RSS under ${RSS_LIMIT_MB} MB, copy equals source`, async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE big (id int PRIMARY KEY, grp int NOT NULL, payload text NOT NULL, at timestamp(6) NOT NULL)`));
  const prefix = topicPrefixFor(NAME);
  const config = testConnectorConfig(db, services, NAME);
  worker = new WorkerProcess(services, config, `pgcdc-test-offsets-${prefix}`);
  worker.start();
  await eventually(async () => (await slotConfirmed(db, config['slot.name'] as string)) !== null, `the slot to be created (${worker.output.slice(-500)})`, 60_000);
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: prefix });

  const started = Date.now();
  await withClient(db, (c) => c.query(`INSERT INTO big SELECT g, g % 100, md5(g::text) || repeat('p', 40), timestamp '2024-01-01' + g * interval '1 second' FROM generate_series(1, ${ROWS}) g`));
  const inserted = Date.now();
  await oracle.converge(db, ['public.big'], 480_000).catch((err) => {
    throw new Error(`${(err as Error).message}\nworker output:\n${worker!.output.slice(-3000)}`);
  });
  const peak = peakRssMb(worker.pid!);
  console.log(`insert ${inserted - started} ms; delivered and copied ${Date.now() - inserted} ms after commit; worker peak RSS ${peak.toFixed(0)} MB; loader ${JSON.stringify(oracle.loader.stats)}`);
  assert.ok(peak < RSS_LIMIT_MB, `worker peak RSS ${peak.toFixed(0)} MB under ${RSS_LIMIT_MB} MB`);
  assert.equal(await worker.kill('SIGTERM'), 0, 'clean stop');
});
