import { formatLsn, parseLsn, type Lsn } from '../postgres/lsn.js';
import { fromStored, toStored, type SourceOffset } from '../offsets/source-offset.js';

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
 * chunks not yet done. The slot is never confirmed during a snapshot, so it stays at or before
 * where streaming starts.
 */
export interface SnapshotState {
  /** where streaming starts once the snapshot is complete (the slot's consistent point, or the offset's flush LSN) */
  lsn: Lsn;
  chunks: SnapshotChunk[];
  done: Set<string>;
  /**
   * The streaming offset to resume from, when it is not simply `lsn`: the stored offset under
   * snapshot.mode=always, or how far a resumed snapshot had streamed before reading its remaining chunks.
   */
  stream: SourceOffset | null;
  /**
   * Each table's relfilenode when its chunks were read ("schema.table" → filenode). Heap-block ranges
   * only mean something for the same file: a rewrite (VACUUM FULL, CLUSTER, a rewriting ALTER TABLE,
   * pg_repack) moves every row, so a table whose filenode changed is read again whole.
   */
  filenodes: Record<string, number>;
  /**
   * Exactly-once only: what a resumed snapshot had to read again when it committed part of its
   * catch-up (resumed-snapshot.ts): keys of rows whose streamed update left a TOASTed value unchanged,
   * by table OID, and tables to read again whole. Null otherwise.
   */
  rereads?: SnapshotRereads | null;
}

export interface SnapshotRereads {
  keys: Record<string, (string | null)[][]>;
  whole: number[];
}

export function tableKey(c: { schema: string; table: string }): string {
  return `${c.schema}.${c.table}`;
}

export function toStoredSnapshot(s: SnapshotState): Record<string, unknown> {
  return {
    lsn: s.lsn.toString(),
    snapshot: true,
    snapshot_completed: false,
    last_snapshot_record: false,
    pgcdc_snapshot: {
      lsn: formatLsn(s.lsn),
      chunks: s.chunks,
      done: [...s.done],
      filenodes: s.filenodes,
      ...(s.stream ? { stream: toStored(s.stream) } : {}),
      ...(s.rereads ? { rereads: s.rereads } : {}),
    },
  };
}

export function fromStoredSnapshot(stored: Record<string, unknown>): SnapshotState | null {
  const s = stored.pgcdc_snapshot as
    | { lsn: string; chunks: SnapshotChunk[]; done: string[]; filenodes?: Record<string, number>; stream?: Record<string, unknown>; rereads?: SnapshotRereads }
    | undefined;
  if (!s || stored.snapshot_completed === true) return null;
  return {
    lsn: parseLsn(s.lsn),
    chunks: s.chunks,
    done: new Set(s.done),
    // Written before filenodes were recorded: unknown, so a partly read table is read again whole.
    filenodes: s.filenodes ?? {},
    stream: s.stream ? fromStored(s.stream) : null,
    rereads: s.rereads ?? null,
  };
}
