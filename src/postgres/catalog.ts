import type pg from 'pg';
import type { PgTypeInfo, TypeCatalog } from '../types/catalog.js';
import type { CapturedTable } from './publication.js';

/** One column's catalog facts. */
export interface ColumnFacts {
  notNull: boolean;
  typeOid: number;
  typeMod: number;
  /** the stored default expression (`pg_get_expr` of pg_attrdef), null when none; generated columns have none */
  defaultExpr: string | null;
}

/** Catalog facts pgoutput does not send: nullability, defaults and the primary key, per column. */
export interface TableFacts {
  columns: Map<string, ColumnFacts>;
  primaryKey: string[];
}

export async function loadTableFacts(client: pg.Client, relationOid: number): Promise<TableFacts> {
  const cols = await client.query(
    `SELECT a.attname, a.attnotnull, a.atttypid::int AS typid, a.atttypmod,
            CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_expr
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [relationOid],
  );
  const pk = await client.query(
    `SELECT a.attname FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
    [relationOid],
  );
  const columns = new Map<string, ColumnFacts>();
  for (const r of cols.rows) {
    columns.set(r.attname, { notNull: r.attnotnull, typeOid: Number(r.typid), typeMod: Number(r.atttypmod), defaultExpr: r.default_expr ?? null });
  }
  return { columns, primaryKey: pk.rows.map((r) => r.attname) };
}

/** Tables that exist, are ordinary or partitioned tables, and pass `include`. */
export async function listTables(client: pg.Client, include: (schema: string, table: string) => boolean): Promise<CapturedTable[]> {
  const res = await client.query(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY 1, 2`,
  );
  return res.rows.filter((r) => include(r.schema, r.table)).map((r) => ({ schema: r.schema, table: r.table }));
}

/**
 * Loads pg_type facts for the given oids and, transitively, their array elements and domain bases.
 * The result is cached for the connector's life; ALTER TYPE ... ADD VALUE reloads via `forget`.
 */
export class PgTypeCatalog implements TypeCatalog {
  private readonly types = new Map<number, PgTypeInfo>();

  get(oid: number): PgTypeInfo | undefined {
    return this.types.get(oid);
  }

  forget(oid: number): void {
    this.types.delete(oid);
  }

  async load(client: pg.Client, oids: number[]): Promise<void> {
    let pending = [...new Set(oids)].filter((o) => !this.types.has(o));
    while (pending.length > 0) {
      const res = await client.query(
        `SELECT t.oid::int AS oid, t.typname, n.nspname, t.typtype, t.typcategory, t.typelem::int AS elem,
                t.typbasetype::int AS base, t.typtypmod,
                (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ANY($1::oid[])`,
        [pending],
      );
      const next: number[] = [];
      for (const r of res.rows) {
        const info: PgTypeInfo = {
          oid: r.oid,
          name: r.typname,
          schema: r.nspname,
          typtype: r.typtype,
          category: r.typcategory,
          elementOid: r.typcategory === 'A' ? r.elem : 0,
          baseOid: r.base,
          baseTypmod: r.typtypmod,
          enumLabels: r.labels ?? undefined,
        };
        this.types.set(info.oid, info);
        for (const dep of [info.elementOid, info.baseOid]) if (dep && !this.types.has(dep)) next.push(dep);
      }
      pending = [...new Set(next)];
    }
  }
}
