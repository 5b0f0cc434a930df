// Values Debezium writes as null (with a warning) instead of stopping: numeric NaN/±Infinity under
// decimal.handling.mode=precise and an enum array with a NULL element, in columns that allow
// null. The pipeline goes on; the same values in a NOT NULL column still fail the change (see
// fault-unencodable and types).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';

const NAME = 'pgcdc_it_null_values';
let running: RunningConnector | undefined;

after(async () => {
  await running?.stop();
  await dropDatabase(await testServices(), NAME);
});

test('decimal.handling.mode=precise: NaN and ±Infinity become null, as does an enum array with a NULL element; streaming goes on', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const sql = (text: string) => withClient(db, (c) => c.query(text));
  await sql(`CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE TABLE nulled (id int PRIMARY KEY, nu numeric, n numeric(10,2), a_nu numeric[], moods mood[]);
    INSERT INTO nulled VALUES (1, 'NaN', 'NaN', '{NaN,1}', '{happy,NULL}')`);
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'table.include.list': 'public.nulled', 'decimal.handling.mode': 'precise' }));
  await sql(`INSERT INTO nulled VALUES (2, '-Infinity', 2.25, '{1.5}', '{sad}'), (3, 1.5, 'NaN', NULL, '{NULL}')`);
  const topic = `${topicPrefixFor(NAME)}.public.nulled`;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (r) => r.length >= 3);
  const after = new Map(records.map((r) => [Number(r.value!.after.id), r.value!.after]));
  assert.equal(records[0]!.value!.op, 'r', 'the snapshot row');
  const snapshotTx = Number(records[0]!.value!.source.txId);
  assert.ok(snapshotTx > 0, `a snapshot event carries the snapshot transaction's id as txId, as Debezium (got ${snapshotTx})`);
  assert.notEqual(Number(records[1]!.value!.source.txId), snapshotTx, 'the streamed insert came from its own transaction');
  assert.deepEqual({ ...after.get(1), id: 1 }, { id: 1, nu: null, n: null, a_nu: null, moods: null }, 'snapshot: every unrepresentable value is null');
  const second = after.get(2)!;
  assert.equal(second.nu, null, '-Infinity in an unconstrained numeric');
  assert.ok(second.n !== null, 'a representable value next to it is kept');
  assert.deepEqual(second.moods, ['sad']);
  const third = after.get(3)!;
  assert.equal(third.n, null, 'NaN in numeric(10,2)');
  assert.equal(third.moods, null, '{NULL} enum array');
  assert.ok(third.nu !== null);
  assert.equal(running.connector.state, 'RUNNING', running.connector.trace ?? '');
});
