import pg from 'pg';
import type { KafkaSecurity } from '../../src/kafka/security.js';
import { WarehouseLoader } from '../../src/loader/index.js';
import { withClient } from './database.js';

/**
 * The PostgreSQL oracle (issue 7): the reference warehouse loader (src/loader) copies a connector's
 * topics into `<source db>_copy` on the same server, and each source table is compared with its
 * copy by an ordered hash of its rows. Every address is a parameter, so a private stack works too:
 *
 *   const oracle = await PgOracle.start({ brokers, registryUrl, pg: services.pg, sourceDatabase: 'mydb', topicPrefix });
 *   ...                                    // run the scenario
 *   await oracle.converge(sourceDb, ['public.items']);   // caught up AND equal, or throws the diff
 *   await oracle.close();                  // stops the loader, drops the copy database
 */
export interface OracleOptions {
  brokers: string[];
  /** TLS/SASL options of a secured broker (kafkaSecurityFrom) */
  security?: KafkaSecurity;
  registryUrl: string;
  /** a connection to the server that holds the source database (the copy is created beside it) */
  pg: pg.ClientConfig;
  sourceDatabase: string;
  topicPrefix: string;
  /** default `<sourceDatabase>_copy` */
  copyDatabase?: string;
}

export class PgOracle {
  private constructor(readonly loader: WarehouseLoader, readonly copyDb: pg.ClientConfig, private readonly admin: pg.ClientConfig) {}

  static async start(o: OracleOptions): Promise<PgOracle> {
    const name = o.copyDatabase ?? `${o.sourceDatabase}_copy`;
    const admin = { ...o.pg, database: o.pg.database ?? 'postgres' };
    await withClient(admin, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"`);
    });
    const copyDb = { ...o.pg, database: name };
    const loader = new WarehouseLoader({
      brokers: o.brokers,
      security: o.security,
      registryUrl: o.registryUrl,
      target: copyDb,
      topicPrefix: o.topicPrefix,
      groupId: `pgcdc-oracle-${o.topicPrefix}-${name}-${Date.now()}`,
      discoverEveryMs: 500,
    });
    await loader.start();
    return new PgOracle(loader, copyDb, admin);
  }

  /** The copy holds everything the table topics hold right now. */
  caughtUp(timeoutMs = 120_000): Promise<void> {
    return this.loader.caughtUp(timeoutMs);
  }

  /** Throws, naming the table and its first differing rows, unless every copy equals its source. */
  async assertTablesEqual(sourceDb: pg.ClientConfig, tables: string[]): Promise<void> {
    const problems: string[] = [];
    for (const t of tables) {
      const p = await compareTable(sourceDb, this.copyDb, t);
      if (p) problems.push(p);
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  /**
   * Waits until the loader caught up with the topics and every copy equals its source: the
   * connector may still be delivering, so both are retried until the timeout; then the last
   * difference is thrown.
   */
  async converge(sourceDb: pg.ClientConfig, tables: string[], timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let last: Error;
      try {
        await this.caughtUp(Math.max(1000, deadline - Date.now()));
        await this.assertTablesEqual(sourceDb, tables);
        return;
      } catch (err) {
        last = err as Error;
      }
      if (Date.now() > deadline) throw new Error(`copy never converged with the source within ${timeoutMs} ms: ${last.message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async close(): Promise<void> {
    await this.loader.stop();
    await withClient(this.admin, (c) => c.query(`DROP DATABASE IF EXISTS "${this.copyDb.database}" WITH (FORCE)`));
  }
}

interface Column {
  name: string;
  type: string;
}

async function columnsOf(db: pg.ClientConfig, table: string): Promise<Column[]> {
  return withClient(db, async (c) => {
    const r = await c.query<Column>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [qualify(table)],
    );
    return r.rows;
  });
}

const qualify = (table: string) => (table.includes('.') ? table : `public.${table}`).split('.').map((p) => `"${p}"`).join('.');
const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;
const BASE = (t: string) => t.replace(/\(.*\)/, '');

/**
 * One row as text: every compared column through the copy's type (so json vs jsonb, numeric(10,2)
 * vs numeric, varchar vs text compare by value), NULL told apart from the string 'NULL'.
 */
function rowText(columns: { name: string; cast: string | null; numeric: boolean }[]): string {
  const parts = columns.map((c) => {
    const value = `${ident(c.name)}${c.cast ? `::${c.cast}` : ''}`;
    // Debezium's VariableScaleDecimal drops trailing fraction zeros (7.000 arrives as 7): numerics compare by value.
    return `quote_nullable(${c.numeric ? `trim_scale(${value})` : value}::text)`;
  });
  return parts.length > 0 ? `concat_ws(',', ${parts.join(', ')})` : `''`;
}

async function digest(db: pg.ClientConfig, table: string, expr: string): Promise<{ hash: string | null; rows: number }> {
  return withClient(db, async (c) => {
    const r = await c.query(`SELECT md5(string_agg(t, E'\\n' ORDER BY t COLLATE "C")) AS hash, count(*)::int AS rows FROM (SELECT ${expr} AS t FROM ${qualify(table)}) x`);
    return { hash: r.rows[0].hash, rows: r.rows[0].rows };
  });
}

async function compareTable(sourceDb: pg.ClientConfig, copyDb: pg.ClientConfig, table: string): Promise<string | null> {
  const source = await columnsOf(sourceDb, table);
  if (source.length === 0) return `${table}: no such table in the source database ${sourceDb.database}`;
  const copy = new Map((await columnsOf(copyDb, table)).map((c) => [c.name, c.type]));
  if (copy.size === 0) return `${table}: the copy database ${copyDb.database} has no copy of it (no event loaded yet?)`;
  // A column the copy has never seen (added, no row changed since) must be NULL everywhere in the source.
  for (const col of source.filter((c) => !copy.has(c.name))) {
    const n = await withClient(sourceDb, (c) => c.query(`SELECT count(*)::int AS n FROM ${qualify(table)} WHERE ${ident(col.name)} IS NOT NULL`));
    if (n.rows[0].n > 0) return `${table}: column ${col.name} is missing in the copy but non-null in ${n.rows[0].n} source rows`;
  }
  const compared = source.filter((c) => copy.has(c.name));
  const numeric = (c: Column) => BASE(copy.get(c.name)!) === 'numeric';
  const sourceExpr = rowText(compared.map((c) => ({ name: c.name, cast: c.type === copy.get(c.name) ? null : copy.get(c.name)!, numeric: numeric(c) })));
  const copyExpr = rowText(compared.map((c) => ({ name: c.name, cast: null, numeric: numeric(c) })));
  const [s, k] = [await digest(sourceDb, table, sourceExpr), await digest(copyDb, table, copyExpr)];
  if (s.hash === k.hash && s.rows === k.rows) return null;
  const diff = await firstDifferences(sourceDb, copyDb, table, sourceExpr, copyExpr);
  return `${table}: copy differs from source (${s.rows} source rows, ${k.rows} copy rows; columns ${compared.map((c) => c.name).join(', ')})\n${diff}`;
}

/** The first rows only one side has, from both sides' sorted row texts. */
async function firstDifferences(sourceDb: pg.ClientConfig, copyDb: pg.ClientConfig, table: string, sourceExpr: string, copyExpr: string): Promise<string> {
  const rows = (db: pg.ClientConfig, expr: string) =>
    withClient(db, async (c) => (await c.query(`SELECT t FROM (SELECT ${expr} AS t FROM ${qualify(table)}) x ORDER BY t COLLATE "C"`)).rows.map((r) => r.t as string));
  const [a, b] = [await rows(sourceDb, sourceExpr), await rows(copyDb, copyExpr)];
  const onlySource: string[] = [];
  const onlyCopy: string[] = [];
  let i = 0;
  let j = 0;
  while ((i < a.length || j < b.length) && onlySource.length + onlyCopy.length < 10) {
    if (j >= b.length || (i < a.length && Buffer.compare(Buffer.from(a[i]!), Buffer.from(b[j]!)) < 0)) onlySource.push(a[i++]!);
    else if (i >= a.length || a[i] !== b[j]) onlyCopy.push(b[j++]!);
    else (i++, j++);
  }
  return `  only in source: ${onlySource.map((r) => `(${r})`).join(' ') || '-'}\n  only in copy:   ${onlyCopy.map((r) => `(${r})`).join(' ') || '-'}`;
}
