import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { eventually, startConnector, testConnectorConfig, type RunningConnector } from '../harness/connector.js';

const NAME = 'pgcdc_it_heartbeat';
let running: RunningConnector | undefined;

after(async () => {
  await running?.stop();
  await dropDatabase(await testServices(), NAME);
});

test('with heartbeats, the slot advances while the captured table is idle and another table writes', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) => c.query(`CREATE TABLE captured (id int PRIMARY KEY); CREATE TABLE busy (id serial PRIMARY KEY, filler text)`));
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'table.include.list': 'public.captured', 'heartbeat.interval.ms': '300' }));
  const retained = () =>
    withClient(db, async (c) => {
      const r = await c.query(`SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS behind, (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [NAME]);
      return { behind: Number(r.rows[0].behind), pos: BigInt(r.rows[0].pos) };
    });
  await eventually(async () => (await withClient(db, (c) => c.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [NAME]))).rowCount === 1, 'the slot to exist');
  const start = await retained();
  // ~20 MB of WAL in tables the connector does not capture
  for (let i = 0; i < 10; i++) await withClient(db, (c) => c.query(`INSERT INTO busy (filler) SELECT repeat('x', 1000) FROM generate_series(1, 2000)`));
  await eventually(async () => {
    const now = await retained();
    return now.pos > start.pos && now.behind < 1_000_000;
  }, 'the slot to be confirmed close to the current WAL position', 30_000);
  assert.equal(running.connector.state, 'RUNNING');
});
