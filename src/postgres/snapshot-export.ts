import pg from 'pg';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { connect } from './connection.js';
import { parseLsn, type Lsn } from './lsn.js';

/**
 * A snapshot other connections can import with SET TRANSACTION SNAPSHOT. It stays importable only
 * while the exporting connection is open and idle, so `release` is called once every snapshot
 * worker has imported it.
 */
export interface ExportedSnapshot {
  name: string;
  /** for a new slot: the LSN streaming starts from, exactly where the snapshot stands */
  consistentPoint: Lsn | null;
  release(): Promise<void>;
}

/**
 * Creates the logical slot on a replication connection and exports its snapshot: the tables read in
 * that snapshot plus the changes streamed from the consistent point make no gap and no overlap.
 */
export async function createSlotWithSnapshot(config: pg.ClientConfig, slotName: string): Promise<ExportedSnapshot> {
  let client: pg.Client | undefined;
  try {
    client = await connect({ ...config, replication: 'database' } as pg.ClientConfig);
    const res = await client.query(`CREATE_REPLICATION_SLOT "${slotName}" LOGICAL pgoutput (SNAPSHOT 'export')`);
    const row = res.rows[0];
    return { name: row.snapshot_name, consistentPoint: parseLsn(row.consistent_point), release: () => client!.end().catch(() => {}) };
  } catch (err) {
    await client?.end().catch(() => {});
    throw classifyPostgresError(err, `creating replication slot "${slotName}" with an exported snapshot`, 'slot');
  }
}

/**
 * Exports the current snapshot from an ordinary REPEATABLE READ transaction, for snapshots of an
 * existing slot (resuming, snapshot.mode=always): consistent across workers, but newer than the slot.
 */
export async function exportCurrentSnapshot(config: pg.ClientConfig): Promise<ExportedSnapshot> {
  let client: pg.Client | undefined;
  try {
    client = await connect(config);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const res = await client.query('SELECT pg_export_snapshot() AS name');
    return { name: res.rows[0].name, consistentPoint: null, release: () => client!.end().catch(() => {}) };
  } catch (err) {
    await client?.end().catch(() => {});
    throw classifyPostgresError(err, 'exporting a snapshot', 'read');
  }
}

/**
 * Exports a snapshot together with the exact WAL position it stands at, without touching the
 * connector's slot: a TEMPORARY logical slot is created with an exported snapshot and goes away when
 * the exporting connection closes (`release`). A transaction is in that snapshot exactly when its
 * commit record lies before `consistentPoint` (pgoutput's Begin.finalLsn), which lets a resumed
 * snapshot be placed precisely inside the stream of the connector's own slot.
 */
export async function exportSnapshotAtLsn(config: pg.ClientConfig): Promise<ExportedSnapshot & { consistentPoint: Lsn }> {
  const slot = `pgcdc_resume_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  let client: pg.Client | undefined;
  try {
    client = await connect({ ...config, replication: 'database' } as pg.ClientConfig);
    const res = await client.query(`CREATE_REPLICATION_SLOT "${slot}" TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export')`);
    const row = res.rows[0];
    return { name: row.snapshot_name, consistentPoint: parseLsn(row.consistent_point), release: () => client!.end().catch(() => {}) };
  } catch (err) {
    await client?.end().catch(() => {});
    throw classifyPostgresError(err, 'exporting a snapshot at a known WAL position (temporary replication slot)');
  }
}
