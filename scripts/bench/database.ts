/**
 * The benchmark database: one table `bench` (~100-byte rows), one publication, and one pgoutput slot
 * per reader, all created BEFORE a workload is written so that every reader drains exactly the same WAL.
 */
import pg from 'pg';
import { dropSlotIfExists, withClient } from './common.js';
import type { BenchOptions } from './options.js';

/**
 * BENCH_DB names the database, and with it the publication and slots: two benchmarks on a shared
 * machine with different names never drop each other's database or slots.
 */
export const DB = process.env.BENCH_DB ?? 'pgcdc_bench_vs';
if (!/^[a-z_][a-z0-9_]{0,40}$/.test(DB)) throw new Error(`BENCH_DB must be a lower-case SQL identifier, got "${DB}"`);
export const TABLE = 'bench';
export const PUB = `${DB}_pub`;

/** One slot per reader of a streaming workload. */
export const SLOTS = { pgcdc: `${DB}_pgcdc`, 'pgcdc-eos': `${DB}_pgcdc_eos`, debezium: `${DB}_debezium`, recvlogical: `${DB}_recv` } as const;
export type Reader = keyof typeof SLOTS;

export const pgConfig = (o: BenchOptions, database = DB): pg.ClientConfig => ({ ...o.pg, database });

export function lsnToBig(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/** Column b is 48 characters: with id, a, c and d a row is ~100 bytes of tuple data. */
export const ROW_SQL = `SELECT g, (g % 1000003)::int, md5(g::text) || left(md5((g * 7)::text), 16),
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', ((g * 37) % 10000000) / 100.0
  FROM generate_series($1::bigint, $2::bigint) g`;

export const CREATE_TABLE = `CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, a int NOT NULL, b text NOT NULL, c timestamptz NOT NULL, d numeric(12,2) NOT NULL)`;

/** Drops the slots this benchmark owns and the database; then creates an empty database. */
export async function resetDatabase(o: BenchOptions): Promise<void> {
  await withClient(pgConfig(o, 'postgres'), async (c) => {
    for (const slot of Object.values(SLOTS)) await dropSlotIfExists(c, slot);
    await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DB}`);
  });
}

export async function dropDatabase(o: BenchOptions, extraSlots: string[] = []): Promise<void> {
  await withClient(pgConfig(o, 'postgres'), async (c) => {
    for (const slot of [...Object.values(SLOTS), ...extraSlots]) await dropSlotIfExists(c, slot);
    await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  });
}

export async function dropSlot(o: BenchOptions, slot: string): Promise<void> {
  await withClient(pgConfig(o, 'postgres'), (c) => dropSlotIfExists(c, slot));
}

/** Table, publication and one slot per reader; rows inserted by `prefill` come before the slots. */
export async function prepareStreaming(o: BenchOptions, readers: Reader[], prefill?: (c: pg.Client) => Promise<void>): Promise<void> {
  await resetDatabase(o);
  await withClient(pgConfig(o), async (c) => {
    await c.query(CREATE_TABLE);
    await c.query(`CREATE PUBLICATION ${PUB} FOR TABLE ${TABLE}`);
    if (prefill) await prefill(c);
    for (const r of readers) await c.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [SLOTS[r]]);
  });
}

export async function currentLsn(c: pg.Client): Promise<string> {
  return (await c.query('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l as string;
}

/** PID of the walsender streaming `slot`, once it is active. */
export async function walsenderPid(c: pg.Client, slot: string): Promise<number | undefined> {
  const r = await c.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return (r.rows[0]?.active_pid as number | null) ?? undefined;
}
