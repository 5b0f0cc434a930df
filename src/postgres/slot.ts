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
