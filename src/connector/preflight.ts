import type pg from 'pg';
import type { ConnectorConfig } from '../config/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { avroName, firstCollision, MAX_TOPIC_LENGTH, topicCollisionKey, topicName } from '../events/names.js';
import { fieldNameCollision } from '../events/table-schema.js';
import { listTables } from '../postgres/catalog.js';
import { checkPublication, qualifiedName, type CapturedTable } from '../postgres/publication.js';
import { readSlot } from '../postgres/slot.js';

/**
 * Checks made before anything is created (slot, publication, topic, Kafka record): logical decoding
 * is on, the user may replicate and read every captured table, table.include.list entries match,
 * an existing slot is a pgoutput slot of this database, the publication can be used as configured,
 * and every table has a topic name of its own and field names of its own. Returns the tables to capture.
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
  await checkSlot(client, config);
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
  let signalTable: CapturedTable | null = null;
  if (signal) {
    const found = await client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [signal]);
    if (!found.rows[0].ok) {
      throw new PgcdcError('config', `signal.data.collection "${signal}" does not exist in database "${config.database.dbname}"`, {
        remedy: 'create it: CREATE TABLE <schema>.<table> (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))',
      });
    }
    const dot = signal.indexOf('.');
    signalTable = { schema: signal.slice(0, dot), table: signal.slice(dot + 1) };
  }
  await checkPrivileges(client, config, tables, signalTable);
  checkTopics(config, tables);
  await checkFieldNames(client, config, tables);
  const published = signalTable && !tables.some((t) => t.schema === signalTable.schema && t.table === signalTable.table) ? [...tables, signalTable] : tables;
  await checkPublication(client, config.publicationName, config.publicationAutocreateMode, published);
  return tables;
}

/** An existing slot of another plugin or database would fail only after the snapshot was written. */
async function checkSlot(client: pg.Client, config: ConnectorConfig): Promise<void> {
  const slot = await readSlot(client, config.slotName);
  if (!slot || (slot.plugin === 'pgoutput' && slot.database === config.database.dbname)) return;
  throw new PgcdcError('config', `slot.name "${config.slotName}" names an existing replication slot created with plugin ${slot.plugin} in database ${slot.database}; pgcdc needs a pgoutput slot in database ${config.database.dbname}`, {
    remedy: `set slot.name to another name (pgcdc creates the slot), or drop the slot if nothing uses it: SELECT pg_drop_replication_slot('${config.slotName}')`,
  });
}

/** Without SELECT the snapshot fails after the slot exists (and retains WAL); the signal table also needs INSERT (watermarks). */
async function checkPrivileges(client: pg.Client, config: ConnectorConfig, tables: CapturedTable[], signal: CapturedTable | null): Promise<void> {
  const wanted = [...tables.map((t) => ({ t, priv: 'SELECT' })), ...(signal ? [{ t: signal, priv: 'SELECT' }, { t: signal, priv: 'INSERT' }] : [])];
  if (wanted.length === 0) return;
  const res = await client.query<{ ok: boolean }>(
    `SELECT has_table_privilege(q.name, q.priv) AS ok FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(name, priv, i) ORDER BY q.i`,
    [wanted.map((w) => qualifiedName(w.t)), wanted.map((w) => w.priv)],
  );
  const denied = wanted.filter((_, i) => !res.rows[i].ok);
  if (denied.length === 0) return;
  const user = config.database.user;
  throw new PgcdcError('source-auth', `database.user "${user}" lacks ${denied.map((d) => `${d.priv} on ${d.t.schema}.${d.t.table}`).join(', ')}`, {
    remedy: denied.map((d) => `GRANT ${d.priv} ON ${qualifiedName(d.t)} TO "${user}"`).join('; ') + ', or leave the tables out with table.exclude.list',
  });
}

/** Topic names: at most 249 characters, and one topic per table (Kafka reads `.` and `_` as equal). */
function checkTopics(config: ConnectorConfig, tables: CapturedTable[]): void {
  const seen = new Map<string, CapturedTable>();
  for (const t of tables) {
    const topic = topicName(config.topicPrefix, t.schema, t.table);
    if (topic.length > MAX_TOPIC_LENGTH) {
      throw new PgcdcError('config', `topic.prefix "${config.topicPrefix}" makes the topic of table ${t.schema}.${t.table} ${topic.length} characters long; Kafka allows ${MAX_TOPIC_LENGTH}`, {
        remedy: `shorten topic.prefix to at most ${MAX_TOPIC_LENGTH - (topic.length - config.topicPrefix.length)} characters, or leave the table out with table.exclude.list`,
      });
    }
    const key = topicCollisionKey(topic);
    const other = seen.get(key);
    if (other) {
      throw new PgcdcError('config', `tables "${other.schema}.${other.table}" and "${t.schema}.${t.table}" would share the topic ${topic} (characters Kafka does not allow become _, and Kafka treats . and _ alike)`, {
        remedy: `rename one of them, or leave one out with table.exclude.list`,
      });
    }
    seen.set(key, t);
  }
}

/** Two columns of a table that would become one Avro field (see fieldNameCollision). */
async function checkFieldNames(client: pg.Client, config: ConnectorConfig, tables: CapturedTable[]): Promise<void> {
  if (tables.length === 0) return;
  const res = await client.query<{ schema: string; table: string; columns: string[]; pk: string[] }>(
    `SELECT n.nspname AS schema, c.relname AS table,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns,
            array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum = ANY(coalesce(i.indkey::int2[], '{}'))) AS pk
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
      WHERE (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      GROUP BY 1, 2`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  for (const row of res.rows) {
    const pk = new Set(row.pk ?? []);
    const captured = row.columns.filter((col) => pk.has(col) || config.filters.column(row.schema, row.table, col));
    const clash = firstCollision(captured, avroName);
    if (clash) throw fieldNameCollision(`${row.schema}.${row.table}`, clash);
  }
}
