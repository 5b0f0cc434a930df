import type pg from 'pg';
import type { CopyColumn, CopyTarget, TableShape } from './table-shape.js';
import { qualified, quoteIdent } from './table-shape.js';

/** One decoded record of a table topic, in topic order. */
export interface TableEvent {
  /** the decoded Kafka key, null for key-less tables */
  key: Record<string, unknown> | null;
  /** key fields with their copy types (from the key schema) */
  keyColumns: CopyColumn[];
  /** the decoded envelope, null for a tombstone */
  value: Record<string, any> | null;
  /** the copy shape of the value's schema version, null for a tombstone */
  shape: TableShape | null;
}

export interface ApplyStats {
  upserted: number;
  inserted: number;
  deleted: number;
  truncated: number;
  /** events a key-less table cannot apply: update/delete without `before` (see README) */
  skipped: number;
}

export const newStats = (): ApplyStats => ({ upserted: 0, inserted: 0, deleted: 0, truncated: 0, skipped: 0 });

/** Consecutive events applied as one multi-row statement: same kind, same columns. */
interface Group {
  signature: string;
  kind: 'upsert' | 'insert' | 'delete';
  columns: CopyColumn[];
  keyNames: string[];
  /** by key (last event wins: no other event of the key sits between them in the group) */
  rows: Map<string, unknown[]>;
}

const PARAMS_PER_STATEMENT = 30_000;
const keyText = (values: unknown[]) => JSON.stringify(values, (_, v) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v));
const sqlValue = (c: CopyColumn, v: unknown) => (v === null || v === undefined ? null : c.type.toSql(v));

/**
 * Applies one topic's events to its copy table, inside the caller's transaction: upsert on c/u/r
 * (ON CONFLICT on the key), delete on d and tombstones, TRUNCATE on t. Runs of the same operation
 * become multi-row statements; the order between different operations is kept. Re-applying events
 * is harmless (upserts and deletes by key are idempotent), which makes the loader at-least-once safe.
 * A TOAST placeholder in `after` leaves that column as the copy has it.
 */
export async function applyEvents(client: pg.Client, target: CopyTarget, events: TableEvent[], placeholder: string, stats: ApplyStats, between: () => Promise<void> = async () => {}): Promise<void> {
  const table = qualified(target);
  let group: Group | null = null;
  const flush = async () => {
    if (group) await runGroup(client, table, group, stats, between);
    group = null;
  };
  const add = async (kind: Group['kind'], columns: CopyColumn[], keyNames: string[], id: string, row: unknown[], schemaId: number) => {
    const signature = `${kind}|${schemaId}|${columns.map((c) => c.name).join(',')}|${keyNames.join(',')}`;
    if (group?.signature !== signature) {
      await flush();
      group = { signature, kind, columns, keyNames, rows: new Map() };
    }
    if (kind === 'upsert') group!.rows.delete(id); // keep insertion order = last write
    group!.rows.set(id, row);
  };

  let unkeyedSeq = 0;
  for (const e of events) {
    const op = e.value?.op as string | undefined;
    if (op === 't') {
      await flush();
      await client.query(`TRUNCATE ${table}`);
      stats.truncated++;
      continue;
    }
    if (e.key !== null) {
      const keyNames = e.keyColumns.map((c) => c.name);
      const keyValues = e.keyColumns.map((c) => sqlValue(c, e.key![c.name]));
      if (e.value === null || op === 'd') {
        await add('delete', e.keyColumns, keyNames, keyText(keyValues), keyValues, 0);
      } else {
        const after = e.value.after as Record<string, unknown>;
        const present = e.shape!.columns.filter((c) => !isPlaceholder(after[c.name], placeholder));
        await add('upsert', present, keyNames, keyText(keyValues), present.map((c) => sqlValue(c, after[c.name])), e.shape!.schemaId);
      }
      continue;
    }
    // key-less table: no key to address a row by
    if (e.value === null) continue; // Debezium's tombstone for a key-less delete deletes nothing
    const shape = e.shape!;
    if (op === 'c' || op === 'r') {
      const after = e.value.after as Record<string, unknown>;
      await add('insert', shape.columns, [], String(unkeyedSeq++), shape.columns.map((c) => sqlValue(c, after[c.name])), shape.schemaId);
      continue;
    }
    await flush();
    const before = e.value.before as Record<string, unknown> | null;
    if (!before) {
      stats.skipped++; // REPLICA IDENTITY without the old row: nothing identifies the row to change
      continue;
    }
    if (op === 'd') stats.deleted += (await deleteOneMatching(client, table, shape.columns, before)) ? 1 : 0;
    else if (op === 'u') stats.upserted += (await updateOneMatching(client, table, shape.columns, before, e.value.after)) ? 1 : 0;
  }
  await flush();
}

function isPlaceholder(v: unknown, placeholder: string): boolean {
  if (typeof v === 'string') return v === placeholder;
  if (Buffer.isBuffer(v)) return v.length === placeholder.length && v.toString('utf8') === placeholder;
  if (Array.isArray(v) && v.length === 1) return isPlaceholder(v[0], placeholder);
  return false;
}

async function runGroup(client: pg.Client, table: string, g: Group, stats: ApplyStats, between: () => Promise<void>): Promise<void> {
  const rows = [...g.rows.values()];
  const perStatement = Math.max(1, Math.min(5000, Math.floor(PARAMS_PER_STATEMENT / Math.max(1, g.columns.length))));
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    const tuples = chunk.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`).join(', ');
    if (g.kind === 'delete') {
      const keys = g.columns.map((c) => quoteIdent(c.name)).join(', ');
      const r = await client.query(`DELETE FROM ${table} WHERE (${keys}) IN (${tuples})`, params);
      stats.deleted += r.rowCount ?? 0;
    } else {
      const cols = g.columns.map((c) => quoteIdent(c.name));
      let sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples}`;
      if (g.kind === 'upsert') {
        const keys = new Set(g.keyNames);
        const set = g.columns.filter((c) => !keys.has(c.name)).map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`);
        sql += ` ON CONFLICT (${g.keyNames.map(quoteIdent).join(', ')}) DO ${set.length > 0 ? `UPDATE SET ${set.join(', ')}` : 'NOTHING'}`;
      }
      await client.query(sql, params);
      if (g.kind === 'upsert') stats.upserted += chunk.length;
      else stats.inserted += chunk.length;
    }
    await between();
  }
}

/** `ctid` of one copy row equal to `before` in every column (compared as text of the column type). */
function matchOne(table: string, columns: CopyColumn[], before: Record<string, unknown>, params: unknown[]): string {
  const conditions = columns.map((c) => `${quoteIdent(c.name)}::text IS NOT DISTINCT FROM ($${params.push(sqlValue(c, before[c.name]))}::${c.type.pgType})::text`);
  return `SELECT ctid FROM ${table} WHERE ${conditions.join(' AND ') || 'true'} LIMIT 1`;
}

async function deleteOneMatching(client: pg.Client, table: string, columns: CopyColumn[], before: Record<string, unknown>): Promise<boolean> {
  const params: unknown[] = [];
  const r = await client.query(`DELETE FROM ${table} WHERE ctid = (${matchOne(table, columns, before, params)})`, params);
  return (r.rowCount ?? 0) > 0;
}

async function updateOneMatching(client: pg.Client, table: string, columns: CopyColumn[], before: Record<string, unknown>, after: Record<string, unknown>): Promise<boolean> {
  const params: unknown[] = [];
  const match = matchOne(table, columns, before, params);
  const set = columns.map((c) => `${quoteIdent(c.name)} = $${params.push(sqlValue(c, after[c.name]))}`);
  const r = await client.query(`UPDATE ${table} SET ${set.join(', ')} WHERE ctid = (${match})`, params);
  return (r.rowCount ?? 0) > 0;
}
