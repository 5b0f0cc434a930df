import type pg from 'pg';
import type { RelationMessage, ReplicaIdentity } from '../decoding/messages.js';

const IDENTITY: Record<string, ReplicaIdentity> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

/**
 * Works on raw-text clients too (snapshot workers): every value is coerced from its text form.
 * Describes a table the way pgoutput's Relation message does (same columns, same order: attnum,
 * without dropped or generated columns), so a snapshot row and a streamed row go through the very
 * same table schema and converters.
 */
export async function relationFromCatalog(client: pg.Client, relationOid: number): Promise<RelationMessage> {
  const rel = await client.query(
    `SELECT n.nspname, c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
    [relationOid],
  );
  const cols = await client.query(
    `SELECT a.attname, a.atttypid::int AS typid, a.atttypmod,
            coalesce(a.attnum = ANY((SELECT i.indkey FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary)::int2[]), false) AS iskey
       FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
    [relationOid],
  );
  const r = rel.rows[0];
  return {
    tag: 'relation',
    relationOid: Number(relationOid),
    schema: r.nspname,
    table: r.relname,
    replicaIdentity: IDENTITY[r.relreplident] ?? 'default',
    columns: cols.rows.map((c) => ({ name: c.attname, typeOid: Number(c.typid), typeMod: Number(c.atttypmod), isKey: c.iskey === true || c.iskey === 't' })),
  };
}
