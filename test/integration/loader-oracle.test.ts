// Guarantee checked: the reference warehouse loader (src/loader) rebuilds every table from the
// topics alone: after inserts, updates, deletes (tombstones), a primary-key change and a truncate on
// tables with a spread of types, each copy equals its source row for row (ordered hash), and the
// oracle notices when it does not.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { dropDatabase, freshDatabase, withClient } from '../harness/database.js';
import { startConnector, testConnectorConfig, topicPrefixFor, type RunningConnector } from '../harness/connector.js';
import { PgOracle } from '../harness/pg-oracle.js';

const NAME = 'pgcdc_it_loader';
let running: RunningConnector | undefined;
let oracle: PgOracle | undefined;

after(async () => {
  await running?.stop();
  await oracle?.close();
  await dropDatabase(await testServices(), NAME);
});

test('the loader copies a table of many types through c/u/d/t and a key change; the copy equals the source', async () => {
  const services = await testServices();
  const db = await freshDatabase(services, NAME);
  await withClient(db, (c) =>
    c.query(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE TABLE things (
        id int PRIMARY KEY, s smallint, b bigint, flag boolean, r real, d double precision, t text, v varchar(20), raw bytea,
        price numeric(10,2), anynum numeric, day date, at time(6), ts timestamp(6), tsm timestamp(3), tstz timestamptz,
        doc json, docb jsonb, u uuid, m mood, ints int[], names text[]
      );
      CREATE TABLE pairs (a int, b text, note text, PRIMARY KEY (a, b));
    `),
  );
  running = await startConnector(services, testConnectorConfig(db, services, NAME, { 'skipped.operations': 'none' }));
  oracle = await PgOracle.start({ brokers: services.kafkaBrokers, registryUrl: services.registryUrl, pg: services.pg, sourceDatabase: NAME, topicPrefix: topicPrefixFor(NAME) });

  await withClient(db, async (c) => {
    await c.query(`
      INSERT INTO things SELECT g, g::smallint, g * 10000000000, g % 2 = 0, g / 3.0, g / 7.0, 'text ' || g, 'v' || g, decode(md5(g::text), 'hex'),
        g * 1.25, g / 3.0, date '2024-02-28' + g, time '23:59:59.999999' - g * interval '1 second', timestamp '1999-12-31 23:59:59.123456' + g * interval '1 day',
        timestamp '2000-01-01 00:00:00.5' + g * interval '1 ms', timestamptz '2024-06-01 12:00:00+02' + g * interval '1 hour',
        ('{"g": ' || g || ', "x": [1, 2]}')::json, ('{"g": ' || g || '}')::jsonb, md5(g::text)::uuid, (ARRAY['sad','ok','happy'])[1 + g % 3]::mood,
        ARRAY[g, NULL, -g], ARRAY['a' || g, NULL]
      FROM generate_series(1, 300) g;
      INSERT INTO things (id) VALUES (1000);
      INSERT INTO things (id, d, r, day, ts, anynum) VALUES (1001, 'NaN', '-Infinity', '0044-03-15 BC', 'infinity', -0.000001);
      INSERT INTO pairs SELECT g, 'k' || g, 'n' FROM generate_series(1, 50) g;
    `);
    await c.query(`UPDATE things SET t = t || ' updated', price = -price, docb = docb || '{"u": true}' WHERE id % 5 = 0`);
    await c.query(`UPDATE things SET m = NULL, ints = NULL, u = NULL WHERE id % 7 = 0`);
    await c.query(`DELETE FROM things WHERE id % 11 = 0`);
    await c.query(`UPDATE things SET id = id + 10000 WHERE id BETWEEN 20 AND 29`); // key change: d + tombstone + c
    await c.query(`TRUNCATE pairs`);
    await c.query(`INSERT INTO pairs VALUES (1, 'k1', 'after truncate'), (2, 'x', 'y')`);
    await c.query(`UPDATE pairs SET note = 'changed' WHERE a = 2`);
  });

  const started = Date.now();
  await oracle.converge(db, ['public.things', 'public.pairs'], 120_000);
  console.log(`copy converged ${Date.now() - started} ms after the writes; loader stats ${JSON.stringify(oracle.loader.stats)}`);
  assert.ok(oracle.loader.stats.truncated >= 1, 'the truncate reached the copy');
  assert.ok(oracle.loader.stats.deleted > 0, 'deletes reached the copy');

  // The oracle is not blind: a changed copy row is reported with the table and the row.
  await withClient(oracle.copyDb, (c) => c.query(`UPDATE public.things SET t = 'tampered' WHERE id = 1`));
  await assert.rejects(oracle.assertTablesEqual(db, ['public.things']), (err: Error) => /public\.things: copy differs/.test(err.message) && /tampered/.test(err.message));
});
