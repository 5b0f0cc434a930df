import type pg from 'pg';
import type { CapturedTable } from '../postgres/publication.js';
import type { SnapshotChunk } from './snapshot-state.js';

/**
 * Splits each table into ranges of heap blocks of about `rowsPerChunk` rows, so several workers can
 * read one large table in parallel. TID ranges work for every table (with or without a primary key)
 * and, inside one snapshot, every visible row sits in exactly one range.
 */
export async function planChunks(client: pg.Client, tables: CapturedTable[], rowsPerChunk: number): Promise<SnapshotChunk[]> {
  const chunks: SnapshotChunk[] = [];
  for (const t of tables) {
    const res = await client.query(
      `SELECT c.oid::int AS oid, greatest(c.reltuples, 0)::float8 AS reltuples,
              (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS blocks
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [t.schema, t.table],
    );
    const { oid, blocks } = res.rows[0];
    let { reltuples } = res.rows[0];
    if (reltuples <= 0 && blocks > 0) reltuples = blocks * 60; // never analysed: assume ~60 rows a page
    const rowsPerBlock = blocks > 0 ? Math.max(1, reltuples / blocks) : 1;
    const blocksPerChunk = Math.max(1, Math.floor(rowsPerChunk / rowsPerBlock));
    const count = Math.max(1, Math.ceil(blocks / blocksPerChunk));
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
  }
  return chunks;
}
