// Guarantee: a PostgreSQL connection that cannot be established in time (connect.timeout.ms: a
// firewall dropping packets, a server that accepts and never answers) is a connection failure like
// any other: RESTARTING with the reason, retried with backoff, RUNNING once PostgreSQL answers.
// A TCP proxy on a free loopback port first accepts and stays silent, then forwards to PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, testConnectorConfig } from '../harness/connector.js';
import { walsenderPid } from '../harness/slot-faults.js';
import { validateConnectorConfig } from '../../src/config/index.js';
import { Connector } from '../../src/connector/connector.js';
import { openKafka } from '../../src/kafka/client.js';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';

const NAME = 'pgcdc_it_fault_connect_timeout';
let proxy: Server | undefined;
const held: Socket[] = [];
let connector: Connector | undefined;
let offsetStore: KafkaOffsetStore | undefined;

after(async () => {
  await connector?.stop();
  await offsetStore?.stop();
  for (const s of held) s.destroy();
  proxy?.close();
  await dropDatabase(await testServices(), NAME);
});

test('a connection timeout puts the connector in RESTARTING with the reason, then RUNNING once PostgreSQL answers', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE items (id int PRIMARY KEY, v text)`));

  let forward = false;
  let accepted = 0;
  proxy = createServer((client) => {
    accepted++;
    held.push(client);
    client.on('error', () => {});
    if (!forward) return; // accept, never answer
    const upstream = connect(db.port!, db.host!);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;

  const raw = testConnectorConfig(db, services, NAME, {
    'database.hostname': '127.0.0.1',
    'database.port': String(port),
    'connect.timeout.ms': '700',
    'errors.retry.delay.initial.ms': '200',
    'errors.retry.delay.max.ms': '1000',
  });
  const { config, errors, warnings } = validateConnectorConfig(raw);
  assert.deepEqual(errors, []);
  assert.ok(!warnings.some((w) => w.key === 'connect.timeout.ms'), 'connect.timeout.ms is a key pgcdc implements');
  const kafka = openKafka({ clientId: `pgcdc-test-${NAME}`, brokers: services.kafkaBrokers });
  offsetStore = new KafkaOffsetStore(kafka, 'pgcdc-test-offsets');
  await offsetStore.start();
  connector = new Connector(config!, { kafka, offsetStore, log: pino({ level: 'warn' }) });
  const started = Date.now();
  void connector.start();

  const traces: string[] = [];
  await eventually(() => {
    if (connector!.trace) traces.push(connector!.trace);
    return connector!.state === 'RESTARTING' && accepted >= 2;
  }, `RESTARTING after repeated timeouts (state ${connector.state}: ${connector.trace})`, 30_000);
  assert.notEqual(connector.state, 'FAILED');
  assert.match(traces.at(-1)!, /timeout expired.*connect\.timeout\.ms/);
  const timedOutMs = Date.now() - started;

  forward = true;
  await eventually(async () => connector!.state === 'RUNNING' && (await walsenderPid(db, config!.slotName)) !== null, `RUNNING once PostgreSQL answers (state ${connector.state}: ${connector.trace})`, 60_000);
  console.log(JSON.stringify({ attemptsWhileSilent: accepted, restartingAfterMs: timedOutMs, recoveredAfterMs: Date.now() - started, trace: traces.at(-1) }));
});
