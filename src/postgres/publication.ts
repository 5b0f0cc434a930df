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
const shown = (t: CapturedTable) => `${t.schema}.${t.table}`;

/**
 * The COMMENT pgcdc puts on a publication it creates. Only a publication carrying it is pgcdc's to
 * rewrite (ALTER PUBLICATION ... SET TABLE); any other belongs to someone else and is never narrowed.
 */
export const PUBLICATION_MARKER = 'created by pgcdc';

interface PublicationState {
  allTables: boolean;
  ownedByPgcdc: boolean;
  tables: CapturedTable[];
}

export async function readPublication(client: pg.Client, name: string): Promise<PublicationState | undefined> {
  const found = await client.query(
    `SELECT p.puballtables, obj_description(p.oid, 'pg_publication') AS comment,
            (SELECT coalesce(json_agg(json_build_object('schema', t.schemaname, 'table', t.tablename)), '[]'::json)
               FROM pg_publication_tables t WHERE t.pubname = p.pubname) AS tables
       FROM pg_publication p WHERE p.pubname = $1`,
    [name],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  return { allTables: row.puballtables, ownedByPgcdc: row.comment === PUBLICATION_MARKER, tables: row.tables };
}

/**
 * Read-only part of `ensurePublication`, run by preflight before anything is created: refuses what
 * ensurePublication would refuse (a missing publication under `disabled`, an empty filtered one, an
 * existing publication of someone else that lacks captured tables).
 */
export async function checkPublication(client: pg.Client, name: string, mode: PublicationMode, tables: CapturedTable[]): Promise<void> {
  const existing = await readPublication(client, name);
  if (mode === 'disabled' && !existing) {
    throw new PgcdcError('source-state', `publication "${name}" does not exist and publication.autocreate.mode is disabled`, {
      remedy: `create it (CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ...) or set publication.autocreate.mode=filtered`,
    });
  }
  if (mode !== 'filtered') return;
  if (tables.length === 0) {
    throw new PgcdcError('config', 'no table matches the include/exclude lists, so the filtered publication would be empty', {
      remedy: 'check table.include.list / schema.include.list',
    });
  }
  if (!existing || existing.allTables || existing.ownedByPgcdc) return;
  const has = new Set(existing.tables.map(shown));
  const missing = tables.filter((t) => !has.has(shown(t)));
  if (missing.length > 0) {
    throw new PgcdcError('config', `publication.name "${name}" names an existing publication pgcdc did not create, and it lacks ${missing.map((t) => `"${shown(t)}"`).join(', ')}; pgcdc never rewrites another publication's table list (it has ${existing.tables.map(shown).join(', ') || 'no tables'})`, {
      remedy: `add them yourself (ALTER PUBLICATION ${quoteIdent(name)} ADD TABLE ${missing.map(qualifiedName).join(', ')}), or set publication.name to a publication of this connector's own`,
    });
  }
}

/**
 * Makes the publication match the configuration (Debezium's publication.autocreate.mode):
 * `filtered` creates it for exactly the captured tables (marked as pgcdc's) and keeps the list of
 * a pgcdc publication in step; another publication is used as is when it holds every captured table
 * (extra tables are left alone and ignored), refused otherwise. `all_tables` creates it FOR ALL
 * TABLES, `disabled` requires it to exist, `no_tables` creates it empty.
 */
export async function ensurePublication(client: pg.Client, name: string, mode: PublicationMode, tables: CapturedTable[]): Promise<void> {
  try {
    await checkPublication(client, name, mode, tables);
    const existing = await readPublication(client, name);
    if (mode === 'disabled') return;
    const create = async (what: string) => {
      await client.query('BEGIN');
      try {
        await client.query(`CREATE PUBLICATION ${quoteIdent(name)}${what}`);
        await client.query(`COMMENT ON PUBLICATION ${quoteIdent(name)} IS '${PUBLICATION_MARKER}'`);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    };
    if (mode === 'all_tables') {
      if (!existing) await create(' FOR ALL TABLES');
      return;
    }
    if (mode === 'no_tables') {
      if (!existing) await create('');
      return;
    }
    const list = tables.map(qualifiedName).join(', ');
    if (!existing) await create(` FOR TABLE ${list}`);
    else if (existing.ownedByPgcdc && !existing.allTables) await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  } catch (err) {
    throw err instanceof PgcdcError ? err : classifyPostgresError(err, `setting up publication "${name}"`, mode === 'all_tables' ? 'publication-all-tables' : 'publication');
  }
}

/** Drops the publication if it carries pgcdc's marker (never someone else's). True when dropped. */
export async function dropOwnPublication(client: pg.Client, name: string): Promise<boolean> {
  const existing = await readPublication(client, name);
  if (!existing?.ownedByPgcdc) return false;
  await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
  return true;
}
