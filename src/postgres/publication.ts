import type pg from 'pg';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';

export type PublicationMode = 'filtered' | 'all_tables' | 'disabled' | 'no_tables';

export interface CapturedTable {
  schema: string;
  table: string;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const qualifiedName = (t: CapturedTable) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;

/**
 * Makes the publication match the configuration (Debezium's publication.autocreate.mode):
 * `filtered` creates it for exactly the captured tables and keeps that list in step, `all_tables`
 * creates it FOR ALL TABLES, `disabled` requires it to exist, `no_tables` creates it empty.
 */
export async function ensurePublication(client: pg.Client, name: string, mode: PublicationMode, tables: CapturedTable[]): Promise<void> {
  const found = await client.query('SELECT puballtables FROM pg_publication WHERE pubname = $1', [name]);
  const exists = found.rowCount === 1;
  try {
    if (mode === 'disabled') {
      if (!exists) {
        throw new PgcdcError('source-state', `publication "${name}" does not exist and publication.autocreate.mode is disabled`, {
          remedy: `create it (CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ...) or set publication.autocreate.mode=filtered`,
        });
      }
      return;
    }
    if (mode === 'all_tables') {
      if (!exists) await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR ALL TABLES`);
      return;
    }
    if (mode === 'no_tables') {
      if (!exists) await client.query(`CREATE PUBLICATION ${quoteIdent(name)}`);
      return;
    }
    // filtered
    if (tables.length === 0) {
      throw new PgcdcError('config', 'no table matches the include/exclude lists, so the filtered publication would be empty', {
        remedy: 'check table.include.list / schema.include.list',
      });
    }
    const list = tables.map(qualifiedName).join(', ');
    if (!exists) await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}`);
    else if (!found.rows[0].puballtables) await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  } catch (err) {
    throw err instanceof PgcdcError ? err : classifyPostgresError(err, `setting up publication "${name}"`, mode === 'all_tables' ? 'publication-all-tables' : 'publication');
  }
}
