import type pg from 'pg';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { parseLsn, type Lsn } from './lsn.js';

export interface SlotState {
  name: string;
  plugin: string;
  database: string;
  active: boolean;
  activePid: number | null;
  restartLsn: Lsn | null;
  confirmedFlushLsn: Lsn | null;
  /** reserved, extended, unreserved or lost (PostgreSQL 13+) */
  walStatus: string | null;
}

export async function readSlot(client: pg.Client, slotName: string): Promise<SlotState | undefined> {
  const res = await client.query(
    `SELECT slot_name, plugin, database, active, active_pid, restart_lsn::text, confirmed_flush_lsn::text, wal_status
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slotName],
  );
  const row = res.rows[0];
  if (!row) return undefined;
  return {
    name: row.slot_name,
    plugin: row.plugin,
    database: row.database,
    active: row.active,
    activePid: row.active_pid,
    restartLsn: row.restart_lsn ? parseLsn(row.restart_lsn) : null,
    confirmedFlushLsn: row.confirmed_flush_lsn ? parseLsn(row.confirmed_flush_lsn) : null,
    walStatus: row.wal_status,
  };
}

/**
 * Creates the logical slot with pgoutput when it does not exist, and checks that an existing one
 * belongs to this database and plugin. Returns the slot and whether it was created now.
 */
export async function ensureSlot(client: pg.Client, slotName: string, dbname: string): Promise<{ slot: SlotState; created: boolean }> {
  const existing = await readSlot(client, slotName);
  if (existing) {
    if (existing.plugin !== 'pgoutput' || existing.database !== dbname) {
      throw new PgcdcError('source-state', `replication slot "${slotName}" exists for plugin ${existing.plugin} in database ${existing.database}`, {
        remedy: `use another slot.name, or drop the slot if it is not in use`,
      });
    }
    if (existing.walStatus === 'lost') {
      throw new PgcdcError('source-state', `replication slot "${slotName}" has lost required WAL (wal_status=lost): changes were removed before pgcdc read them`, {
        remedy: 'drop the slot and reset the connector offsets to take a new snapshot',
      });
    }
    return { slot: existing, created: false };
  }
  try {
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slotName]);
  } catch (err) {
    throw classifyPostgresError(err, `creating replication slot "${slotName}"`, 'slot');
  }
  const slot = await readSlot(client, slotName);
  if (!slot) throw new PgcdcError('internal', `replication slot "${slotName}" vanished right after creation`);
  return { slot, created: true };
}

export async function dropSlot(client: pg.Client, slotName: string): Promise<void> {
  await client.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [slotName]);
}

/**
 * Cluster mode, before a newly assigned connector starts streaming: a pgcdc walsender still holding
 * the slot belongs to the worker that ran the connector before and lost it (frozen or cut off past
 * its group lease, so it can no longer deliver or store anything). It is ended, so the new owner
 * need not wait for PostgreSQL's wal_sender_timeout; other holders (not application_name pgcdc)
 * are left alone. Returns the PID ended, or null. Needs the connector user to be allowed to signal
 * that backend (the same role, or pg_signal_backend); if not, the slot is waited for as before.
 */
export async function takeOverSlot(client: pg.Client, slotName: string, waitMs = 5_000): Promise<number | null> {
  // Two statements on purpose: a side effect in a WHERE clause may run on rows other filters drop.
  const res = await client.query<{ pid: number }>(
    `SELECT s.active_pid AS pid FROM pg_replication_slots s JOIN pg_stat_activity a ON a.pid = s.active_pid
      WHERE s.slot_name = $1 AND a.application_name = 'pgcdc' AND a.backend_type = 'walsender'`,
    [slotName],
  );
  const pid = res.rows[0]?.pid ?? null;
  if (pid === null) return null;
  await client.query('SELECT pg_terminate_backend($1)', [pid]);
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
    const left = await client.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active_pid = $2`, [slotName, pid]);
    if (left.rowCount === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pid;
}
