import type pg from 'pg';
import { qualified, quoteIdent, type CopyTarget, type TableShape } from './table-shape.js';

/** The spellings format_type() uses, so a copy column's type compares with the loader's choice. */
const CANONICAL: Record<string, string> = {
  time: 'time without time zone',
  timetz: 'time with time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
};
const canonical = (t: string): string => (t.endsWith('[]') ? `${canonical(t.slice(0, -2))}[]` : (CANONICAL[t] ?? t));

/** The schema id a copy was last shaped from, kept in the table's comment so it survives restarts. */
const COMMENT_PREFIX = 'pgcdc loader: value schema id ';

/**
 * Creates the copy table on first sight of its topic (primary key = the Kafka key's fields, none for
 * key-less tables), adds the columns a new schema version brings, and changes a column's type when
 * a newer version maps it differently (`USING col::text::type`). Columns a version no longer has are
 * kept: a loader cannot tell a dropped column from a renamed one, and old rows keep their values.
 * An older schema id than the one the copy was shaped from (events redelivered after a loader
 * restart) only adds missing columns, so types never flap back.
 */
export async function ensureCopyTable(client: pg.Client, target: CopyTarget, shape: TableShape, keyNames: string[]): Promise<void> {
  const existing = await client.query<{ name: string; type: string; comment: string | null }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, obj_description(a.attrelid, 'pg_class') AS comment
       FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [qualified(target)],
  );
  const table = qualified(target);
  if (existing.rowCount === 0) {
    const columns = shape.columns.map((c) => `${quoteIdent(c.name)} ${c.type.pgType}`);
    if (keyNames.length > 0) columns.push(`PRIMARY KEY (${keyNames.map(quoteIdent).join(', ')})`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')})`);
    await setShapedFrom(client, table, shape.schemaId);
    return;
  }
  const shapedFrom = Number((existing.rows[0]!.comment ?? '').replace(COMMENT_PREFIX, '')) || 0;
  const types = new Map(existing.rows.map((r) => [r.name, r.type]));
  for (const c of shape.columns) {
    const have = types.get(c.name);
    if (have === undefined) {
      await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.type.pgType}`);
    } else if (shape.schemaId >= shapedFrom && have !== canonical(c.type.pgType)) {
      const name = quoteIdent(c.name);
      await client.query(`ALTER TABLE ${table} ALTER COLUMN ${name} TYPE ${c.type.pgType} USING ${name}::text::${c.type.pgType}`);
    }
  }
  if (shape.schemaId > shapedFrom) await setShapedFrom(client, table, shape.schemaId);
}

async function setShapedFrom(client: pg.Client, table: string, schemaId: number): Promise<void> {
  await client.query(`COMMENT ON TABLE ${table} IS '${COMMENT_PREFIX}${schemaId}'`);
}

export async function copyTableExists(client: pg.Client, target: CopyTarget): Promise<boolean> {
  const r = await client.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [qualified(target)]);
  return r.rows[0].found === true;
}
