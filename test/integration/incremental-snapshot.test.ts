import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { readTopics } from '../harness/topics.js';
import { rebuildTable } from '../harness/oracle.js';

const NAME = 'pgcdc_it_incremental';
const ROWS = 5_000;
let running: RunningConnector | undefined;

after(async () => {
  await running?.stop();
  await dropDatabase(await testServices(), NAME);
});

test('an ad-hoc snapshot requested through the signal table during writes converges to the source', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, async (c) => {
    await c.query(`CREATE TABLE dbz_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))`);
    await c.query(`CREATE TABLE stock (sku int PRIMARY KEY, qty int NOT NULL)`);
    await c.query(`INSERT INTO stock SELECT g, g FROM generate_series(1, ${ROWS}) g`);
  });
  // no_data: the rows already there reach Kafka only through the ad-hoc snapshot.
  running = await startConnector(services, testConnectorConfig(db, services, NAME, {
    'snapshot.mode': 'no_data',
    'table.include.list': 'public.stock',
    'signal.data.collection': 'public.dbz_signal',
    'incremental.snapshot.chunk.size': '500',
  }));
  const r = running;
  await eventually(() => r.connector.streaming !== null, 'streaming to start');
  let writing = true;
  const writer = withClient(db, async (c) => {
    for (let i = 0; writing; i++) {
      const sku = 1 + ((i * 7919) % ROWS);
      await c.query(`UPDATE stock SET qty = qty + 1000 WHERE sku = $1`, [sku]);
      if (i % 9 === 0) await c.query(`DELETE FROM stock WHERE sku = $1`, [1 + ((i * 104729) % ROWS)]);
      if (i % 9 === 4) await c.query(`INSERT INTO stock VALUES ($1, 0) ON CONFLICT DO NOTHING`, [ROWS + i]);
    }
  });
  await withClient(db, (c) => c.query(`INSERT INTO dbz_signal VALUES ('adhoc-1', 'execute-snapshot', '{"data-collections": ["public.stock"], "type": "incremental"}')`));
  await eventually(() => {
    const inc = r.connector.streaming?.incremental;
    return !!inc && inc.tablesDone === 1 && !inc.running;
  }, 'the ad-hoc snapshot to finish', 120_000).catch((err) => {
    const src = r.connector.streaming as unknown as Record<string, unknown> | null;
    const inc = src?.incremental as Record<string, unknown> | undefined;
    const chunk = inc?.chunk as Record<string, unknown> | null | undefined;
    throw new Error(`${(err as Error).message}: state=${r.connector.state} trace=${r.connector.trace} queue=${(src?.queue as unknown[])?.length} head=${src?.head} paused=${src?.paused} inflight=${src?.inflight !== null} tx=${src?.tx !== null} chunk=${chunk ? `${chunk.id} open=${chunk.open} rows=${(chunk.rows as Map<string, unknown>).size}` : 'none'} tablesDone=${inc?.tablesDone} rows=${inc?.rowsEmitted}`);
  });
  writing = false;
  await writer;
  await withClient(db, (c) => c.query(`INSERT INTO stock VALUES (-1, -1)`));

  const topic = `${topicPrefixFor(NAME)}.public.stock`;
  const records = await readTopics(services.kafkaBrokers, services.registryUrl, [topic], (all) => all[all.length - 1].value?.after?.sku === -1, 120_000);
  const reads = records.filter((x) => x.value?.op === 'r');
  assert.ok(reads.length > 0, 'the ad-hoc snapshot emitted rows');
  assert.ok(reads.every((x) => x.value!.source.snapshot === 'incremental'), 'marked incremental');
  const rebuilt = rebuildTable(records, (row) => String(row.sku));
  const source = await withClient(db, (c) => c.query(`SELECT sku, qty FROM stock ORDER BY sku`));
  assert.equal(rebuilt.size, source.rowCount, 'every source row is in the rebuilt table');
  for (const row of source.rows) assert.deepEqual(rebuilt.get(String(row.sku)), row, `sku ${row.sku}`);
  assert.equal(records.filter((x) => x.topic !== topic).length, 0);
});
