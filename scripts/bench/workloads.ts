/**
 * Streaming workloads (a) and (b), written before any reader starts; each returns the WAL range it
 * covers and how many change events and Kafka records (deletes add a tombstone) a reader must produce.
 */
import { round, withClient } from './common.js';
import { ROW_SQL, TABLE, currentLsn, lsnToBig, pgConfig, prepareStreaming, type Reader } from './database.js';
import type { BenchOptions } from './options.js';

export interface StreamingWorkload {
  id: 'a' | 'b';
  title: string;
  changes: number;
  records: number; // Kafka records: changes + one tombstone per delete
  transactions: number;
  writeSeconds: number;
  startLsn: string;
  endLsn: string;
  walBytes: number;
}

// (a): per transaction 6 inserts, 3 updates and 1 delete of the rows the previous transaction inserted
const INSERTS = 6;
const UPDATES = 3;
const DELETES = 1;
const PER_TX = INSERTS + UPDATES + DELETES;

const MIX_PROCEDURE = `CREATE PROCEDURE bench_mix(tx_count bigint) LANGUAGE plpgsql AS $$
  DECLARE k bigint := 1; base bigint; prev bigint;
  BEGIN
    WHILE k <= tx_count LOOP
      base := k * ${INSERTS}; prev := (k - 1) * ${INSERTS};
      INSERT INTO ${TABLE} ${ROW_SQL.replace('$1::bigint', 'base + 1').replace('$2::bigint', `base + ${INSERTS}`)};
      UPDATE ${TABLE} SET a = a + 1, d = d + 1 WHERE id BETWEEN prev + 1 AND prev + ${UPDATES};
      DELETE FROM ${TABLE} WHERE id = prev + ${UPDATES + 1};
      COMMIT;
      k := k + 1;
    END LOOP;
  END $$`;

export const readersFor = (o: BenchOptions): Reader[] => [
  ...(o.systems.includes('pgcdc') ? (['pgcdc'] as const) : []),
  ...(o.systems.includes('pgcdc-eos') ? (['pgcdc-eos'] as const) : []),
  ...(o.systems.includes('debezium') ? (['debezium'] as const) : []),
  ...(o.systems.includes('limits') ? (['recvlogical'] as const) : []),
];

export async function writeStreamingWorkload(o: BenchOptions, id: 'a' | 'b'): Promise<StreamingWorkload> {
  const transactions = id === 'a' ? o.changes / PER_TX : 1;
  // (a) updates and deletes the rows of the transaction before: the first one's rows exist up front
  await prepareStreaming(o, readersFor(o), id === 'a' ? (c) => c.query(`INSERT INTO ${TABLE} ${ROW_SQL}`, [1, INSERTS]).then(() => {}) : undefined);
  return withClient(pgConfig(o), async (c) => {
    if (id === 'a') await c.query(MIX_PROCEDURE);
    await c.query('SET synchronous_commit = off');
    const startLsn = await currentLsn(c);
    const t0 = performance.now();
    if (id === 'a') await c.query('CALL bench_mix($1)', [transactions]);
    else await c.query(`INSERT INTO ${TABLE} ${ROW_SQL}`, [1, o.changes]);
    const writeSeconds = (performance.now() - t0) / 1000;
    const endLsn = await currentLsn(c);
    await c.query('SET synchronous_commit = on');
    await c.query('SELECT txid_current()'); // a synchronous commit flushes the WAL written above
    const expectRows = id === 'a' ? INSERTS + transactions * (INSERTS - DELETES) : o.changes;
    const rows = Number((await c.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n);
    if (rows !== expectRows) throw new Error(`workload ${id} left ${rows} rows in ${TABLE}, expected ${expectRows}`);
    const deletes = id === 'a' ? transactions * DELETES : 0;
    return {
      id,
      title: id === 'a' ? `${o.changes.toLocaleString('en-US')} changes in ${PER_TX}-change transactions (60% insert, 30% update, 10% delete)` : `one ${o.changes.toLocaleString('en-US')}-row transaction`,
      changes: o.changes,
      records: o.changes + deletes,
      transactions,
      writeSeconds: round(writeSeconds, 2),
      startLsn,
      endLsn,
      walBytes: Number(lsnToBig(endLsn) - lsnToBig(startLsn)),
    };
  });
}

