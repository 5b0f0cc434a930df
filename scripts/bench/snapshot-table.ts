/**
 * Workload (d): the table an initial snapshot copies. Same row shape as the streaming workloads,
 * VACUUM (FREEZE, ANALYZE) so that no reader pays for hint bits, then one read to warm the page cache.
 */
import { fmtInt, log, now, round, withClient } from './common.js';
import { CREATE_TABLE, PUB, ROW_SQL, TABLE, pgConfig, resetDatabase } from './database.js';
import type { BenchOptions } from './options.js';

export interface SnapshotTable {
  rows: number;
  buildSeconds: number;
  heapMb: number;
}

export async function buildSnapshotTable(o: BenchOptions): Promise<SnapshotTable> {
  await resetDatabase(o);
  log(`building ${TABLE} with ${fmtInt(o.snapshotRows)} rows`);
  const t0 = now();
  return withClient(pgConfig(o), async (c) => {
    await c.query('SET synchronous_commit = off');
    await c.query(CREATE_TABLE.replace(' PRIMARY KEY', ''));
    // in steps of 1M rows, so no single statement runs for minutes
    for (let from = 1; from <= o.snapshotRows; from += 1_000_000) {
      await c.query(`INSERT INTO ${TABLE} ${ROW_SQL}`, [from, Math.min(o.snapshotRows, from + 999_999)]);
    }
    await c.query(`ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)`);
    await c.query(`VACUUM (FREEZE, ANALYZE) ${TABLE}`);
    await c.query(`CREATE PUBLICATION ${PUB} FOR TABLE ${TABLE}`);
    await c.query(`SELECT count(*) FROM ${TABLE}`);
    const heap = Number((await c.query(`SELECT pg_relation_size('${TABLE}')::float8 AS b`)).rows[0].b);
    const buildSeconds = round((now() - t0) / 1000, 1);
    log(`  built in ${buildSeconds} s, heap ${round(heap / 1048576)} MB`);
    return { rows: o.snapshotRows, buildSeconds, heapMb: round(heap / 1048576) };
  });
}
