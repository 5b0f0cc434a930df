/**
 * The connector settings pgcdc and Debezium run with in every benchmark run (the same source, slot
 * and publication naming, snapshot mode and table), so the two systems read the same WAL the same
 * way; each runner adds its own tuning and converter settings.
 */
import type { BenchOptions } from './options.js';

export interface BenchRun {
  name: string;
  prefix: string;
  slot: string;
  publication: string;
  database: string;
  table: string;
  snapshotMode: 'no_data' | 'initial_only';
  tag: string; // file name part: workload and system
}

export function sharedConnectorConfig(o: BenchOptions, run: BenchRun): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': o.pg.host,
    'database.port': String(o.pg.port),
    'database.user': o.pg.user,
    'database.password': o.pg.password,
    'database.dbname': run.database,
    'topic.prefix': run.prefix,
    'plugin.name': 'pgoutput',
    'slot.name': run.slot,
    'publication.name': run.publication,
    'publication.autocreate.mode': 'disabled',
    'table.include.list': `public.${run.table}`,
    'snapshot.mode': run.snapshotMode,
  };
}
