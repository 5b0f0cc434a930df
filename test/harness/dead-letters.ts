import type pg from 'pg';
import { KafkaOffsetStore } from '../../src/offsets/offset-store.js';
import type { DeadLetterValue } from '../../src/connector/dead-letter.js';
import { withClient } from './database.js';
import { headerStrings, readTopicRecords } from './topic-reader.js';

export interface DeadLetter {
  key: string | null;
  value: DeadLetterValue;
  headers: Record<string, string>;
}

/** Reads a dead-letter topic (JSON records, no registry) from the beginning until `until` holds. */
export async function readDeadLetters(brokers: string[], topic: string, until: (letters: DeadLetter[]) => boolean, timeoutMs = 60_000): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await readTopicRecords(brokers, [topic], (r) => {
    letters.push({ key: r.key?.toString() ?? null, value: JSON.parse(r.value!.toString()), headers: headerStrings(r) });
    return until(letters);
  }, { timeoutMs }).catch((err: Error) => {
    throw new Error(`${err.message} (${letters.length} dead letters in ${topic})`);
  });
  return letters;
}

/** The slot's confirmed_flush_lsn, or null when the slot does not exist. */
export function confirmedFlushLsn(db: pg.ClientConfig, slot: string): Promise<bigint | null> {
  return withClient(db, async (c) => {
    const r = await c.query(`SELECT (confirmed_flush_lsn - '0/0')::text AS pos FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
    return r.rows[0]?.pos != null ? BigInt(r.rows[0].pos) : null;
  });
}

/** The current WAL insert position, as a number. */
export function walPosition(db: pg.ClientConfig): Promise<bigint> {
  return withClient(db, async (c) => BigInt((await c.query(`SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS pos`)).rows[0].pos));
}

/**
 * Runs `statement` in a transaction of its own; returns the WAL positions before its changes
 * (`start`) and just before its commit record (`beforeCommit`). A confirmed_flush_lsn at or before
 * `beforeCommit` leaves the transaction to be streamed again; an idle connector may legitimately
 * confirm up to there (keepalives), since other databases write WAL meanwhile.
 */
export function beforeCommitOf(db: pg.ClientConfig, statement: string): Promise<{ start: bigint; beforeCommit: bigint }> {
  const position = async (c: pg.Client) => BigInt((await c.query(`SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS pos`)).rows[0].pos);
  return withClient(db, async (c) => {
    const start = await position(c);
    await c.query('BEGIN');
    await c.query(statement);
    const beforeCommit = await position(c);
    await c.query('COMMIT');
    return { start, beforeCommit };
  });
}

/** The flush LSN of the connector's stored offset (pgcdc_flush_lsn), or null when none is stored. */
export async function storedFlushLsn(store: KafkaOffsetStore, connector: string, topicPrefix: string): Promise<bigint | null> {
  const stored = await store.read(KafkaOffsetStore.key(connector, topicPrefix));
  return stored?.pgcdc_flush_lsn === undefined ? null : BigInt(stored.pgcdc_flush_lsn as string);
}
