import type pg from 'pg';
import type { ConnectorConfig } from '../config/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { listTables } from '../postgres/catalog.js';
import type { CapturedTable } from '../postgres/publication.js';

/**
 * Checks made before anything is created (slot, publication, topic): logical decoding is on, the
 * user may replicate, and every entry of table.include.list names at least one existing table.
 * Returns the tables to capture.
 */
export async function preflight(client: pg.Client, config: ConnectorConfig): Promise<CapturedTable[]> {
  const settings = await client.query(
    `SELECT current_setting('wal_level') AS wal_level,
            (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS can_replicate`,
  );
  const { wal_level, can_replicate } = settings.rows[0];
  if (wal_level !== 'logical') {
    throw new PgcdcError('source-state', `PostgreSQL at ${config.database.host}:${config.database.port} has wal_level=${wal_level}`, {
      remedy: 'set wal_level=logical and restart PostgreSQL (scripts/stack.sh start does this locally)',
    });
  }
  if (!can_replicate) {
    throw new PgcdcError('source-auth', `database.user "${config.database.user}" lacks the REPLICATION attribute`, {
      remedy: `ALTER ROLE "${config.database.user}" REPLICATION`,
    });
  }
  const tables = await listTables(client, config.filters.table);
  for (const pattern of config.filterLists.tableIncludeList ?? []) {
    const re = new RegExp(`^(?:${pattern})$`, 'i');
    if (!tables.some((t) => re.test(`${t.schema}.${t.table}`))) {
      throw new PgcdcError('config', `table.include.list entry "${pattern}" matches no table in database "${config.database.dbname}"`, {
        remedy: 'name existing tables as schema.table (regular expressions are anchored)',
      });
    }
  }
  const signal = config.snapshot.signalDataCollection;
  if (signal) {
    const found = await client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [signal]);
    if (!found.rows[0].ok) {
      throw new PgcdcError('config', `signal.data.collection "${signal}" does not exist in database "${config.database.dbname}"`, {
        remedy: 'create it: CREATE TABLE <schema>.<table> (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))',
      });
    }
  }
  return tables;
}
