// Issue 15, recovery: a table that fails the initial snapshot can be taken out of
// table.include.list and the connector goes on in place (no offsets deleted, no re-snapshot of the
// rest); a table added to the list later is captured from then on. Each step restarts the same
// connector (same slot, offsets and topics) with the changed list, as PATCH + restart does.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';

const NAME = 'pgcdc_it_include_change';
const offsets = `pgcdc-test-offsets-${topicPrefixFor(NAME)}`;
const running: RunningConnector[] = [];

after(async () => {
  for (const r of running) await r.stop().catch(() => {});
  await dropDatabase(await testServices(), NAME);
});

test('a table that fails the snapshot is removed from table.include.list: the snapshot resumes without it; a table added later streams', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  const sql = (text: string) => withClient(db, (c) => c.query(text));
  // good1 is read before bad (include-list order), good2 after it
  await sql(`CREATE TABLE good1 (id int PRIMARY KEY, v text);
    CREATE TABLE bad (id int PRIMARY KEY, amount numeric NOT NULL);
    CREATE TABLE good2 (id int PRIMARY KEY, v text);
    CREATE TABLE added (id int PRIMARY KEY, v text);
    INSERT INTO good1 SELECT g, 'a' || g FROM generate_series(1, 50) g;
    INSERT INTO bad VALUES (1, 1), (2, 'NaN');
    INSERT INTO good2 SELECT g, 'b' || g FROM generate_series(1, 40) g;`);
  const config = (include: string) => testConnectorConfig(db, services, NAME, { 'table.include.list': include, 'decimal.handling.mode': 'precise' });
  const start = async (include: string) => {
    const r = await startConnector(services, config(include), offsets);
    running.push(r);
    return r;
  };
  const stop = async (r: RunningConnector) => {
    await r.stop();
    running.splice(running.indexOf(r), 1);
  };

  const first = await start('public.good1,public.bad,public.good2');
  await eventually(() => first.connector.state === 'FAILED', 'the snapshot to fail on the NaN in a NOT NULL numeric');
  assert.match(first.connector.trace ?? '', /public\.bad/);
  await stop(first);

  const second = await start('public.good1,public.good2');
  await eventually(() => second.connector.streaming !== null, 'the connector to finish the snapshot without public.bad and stream', 60_000);
  const prefix = topicPrefixFor(NAME);
  const [t1, t2, tAdded] = [`${prefix}.public.good1`, `${prefix}.public.good2`, `${prefix}.public.added`];
  await sql(`INSERT INTO good2 VALUES (1000, 'streamed')`);
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [t1, t2], (r) => r.some((x) => x.value?.after?.v === 'streamed'));
  const ids = (topic: string) => new Set(records.filter((r) => r.topic === topic && r.value?.op === 'r').map((r) => Number(r.value!.after.id)));
  assert.equal(ids(t1).size, 50, 'every good1 row was read');
  assert.equal(ids(t2).size, 40, 'every good2 row was read');
  assert.equal(second.connector.state, 'RUNNING', second.connector.trace ?? '');
  await stop(second);

  const third = await start('public.good1,public.good2,public.added');
  await eventually(() => third.connector.streaming !== null, 'the connector to stream with public.added captured');
  await sql(`INSERT INTO added VALUES (1, 'new table'); INSERT INTO good1 VALUES (1000, 'after')`);
  const later = await readTopics(services.kafkaBrokers, services.registryUrl, [tAdded, t1], (r) => r.some((x) => x.value?.after?.v === 'new table') && r.some((x) => x.value?.after?.v === 'after'));
  assert.ok(later.some((r) => r.topic === tAdded && r.value?.op === 'c'), 'the added table streams');
  assert.equal(third.connector.state, 'RUNNING', third.connector.trace ?? '');
});
