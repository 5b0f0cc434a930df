import type pg from 'pg';
import type { CapturedTable } from '../postgres/publication.js';
import type { SnapshotChunk } from './snapshot-state.js';

export interface ChunkBounds {
  /** about how many rows a chunk holds at most (snapshot.chunk.rows) */
  rows: number;
  /** about how many bytes of table data, TOAST included, a chunk holds at most (snapshot.chunk.max.bytes) */
  bytes: number;
}

/**
 * Splits each table into ranges of heap blocks, so several workers can read one large table in
 * parallel and a restart resumes at a chunk. TID ranges work for every table (with or without a
 * primary key) and, inside one snapshot, every visible row sits in exactly one range.
 * A chunk is bounded by rows and by bytes: a chunk of a TOAST-heavy table (few heap blocks, large
 * values stored out of line) would otherwise take minutes, and only finished chunks count on resume.
 */
export async function planChunks(client: pg.Client, tables: CapturedTable[], bounds: ChunkBounds): Promise<SnapshotChunk[]> {
  const chunks: SnapshotChunk[] = [];
  for (const t of tables) {
    const res = await client.query(
      `SELECT c.oid::int AS oid, greatest(c.reltuples, 0)::float8 AS reltuples,
              (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS blocks,
              pg_table_size(c.oid)::float8 AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [t.schema, t.table],
    );
    // Numbers may arrive as text (snapshot workers use raw-text connections).
    const [oid, blocks, bytes] = [Number(res.rows[0].oid), Number(res.rows[0].blocks), Number(res.rows[0].bytes)];
    let reltuples = Number(res.rows[0].reltuples);
    if (reltuples <= 0 && blocks > 0) reltuples = blocks * 60; // never analysed: assume ~60 rows a page
    chunks.push(...splitTable(t, oid, blocks, reltuples, bytes, bounds));
  }
  return chunks;
}

/** The pure part of planning: block ranges for one table from its size statistics. */
export function splitTable(t: CapturedTable, oid: number, blocks: number, reltuples: number, bytes: number, bounds: ChunkBounds): SnapshotChunk[] {
  const rowsPerBlock = blocks > 0 ? Math.max(1, reltuples / blocks) : 1;
  const bytesPerRow = reltuples > 0 ? bytes / reltuples : 0;
  const rowsByBytes = bytesPerRow > 0 ? Math.floor(bounds.bytes / bytesPerRow) : Infinity;
  const rowsPerChunk = Math.max(1, Math.min(bounds.rows, rowsByBytes));
  const blocksPerChunk = Math.max(1, Math.floor(rowsPerChunk / rowsPerBlock));
  const count = Math.max(1, Math.ceil(blocks / blocksPerChunk));
  const chunks: SnapshotChunk[] = [];
  for (let i = 0; i < count; i++) {
    const fromBlock = i * blocksPerChunk;
    const last = i === count - 1;
    chunks.push({
      id: `${t.schema}.${t.table}#${i}`,
      schema: t.schema,
      table: t.table,
      relationOid: oid,
      index: i,
      fromBlock,
      toBlock: last ? null : fromBlock + blocksPerChunk,
      estimatedRows: Math.round(Math.min(blocksPerChunk, Math.max(blocks - fromBlock, 0)) * rowsPerBlock),
    });
  }
  return chunks;
}
