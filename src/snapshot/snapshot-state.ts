import { formatLsn, parseLsn, type Lsn } from '../postgres/lsn.js';

/** One unit of snapshot work: a range of a table's heap blocks, read with a TID range scan. */
export interface SnapshotChunk {
  /** "schema.table#index", stable across restarts */
  id: string;
  schema: string;
  table: string;
  relationOid: number;
  index: number;
  /** first block (inclusive) */
  fromBlock: number;
  /** last block (exclusive); null for the table's last chunk, which reads to the end */
  toBlock: number | null;
  /** estimated rows, for progress */
  estimatedRows: number;
}

/**
 * What is stored in the offset topic while a snapshot runs (Debezium's `snapshot`,
 * `snapshot_completed` plus pgcdc's plan and finished chunks), so that a restart resumes with the
 * chunks not yet done. The slot is never confirmed during a snapshot, so it stays at `lsn`.
 */
export interface SnapshotState {
  /** where streaming starts once the snapshot is complete */
  lsn: Lsn;
  chunks: SnapshotChunk[];
  done: Set<string>;
}

export function toStoredSnapshot(s: SnapshotState): Record<string, unknown> {
  return {
    lsn: s.lsn.toString(),
    snapshot: true,
    snapshot_completed: false,
    last_snapshot_record: false,
    pgcdc_snapshot: { lsn: formatLsn(s.lsn), chunks: s.chunks, done: [...s.done] },
  };
}

export function fromStoredSnapshot(stored: Record<string, unknown>): SnapshotState | null {
  const s = stored.pgcdc_snapshot as { lsn: string; chunks: SnapshotChunk[]; done: string[] } | undefined;
  if (!s || stored.snapshot_completed === true) return null;
  return { lsn: parseLsn(s.lsn), chunks: s.chunks, done: new Set(s.done) };
}
