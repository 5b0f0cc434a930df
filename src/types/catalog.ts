/**
 * What pgcdc knows about a PostgreSQL type, loaded once per connection from pg_type/pg_enum
 * (see src/postgres/type-catalog.ts) so that the mapping table stays pure: no I/O while converting.
 */
export interface PgTypeInfo {
  oid: number;
  /** pg_type.typname, e.g. "int4", "_int4", "mood" */
  name: string;
  /** pg_namespace.nspname of the type */
  schema: string;
  /** pg_type.typtype: b base, d domain, e enum, r range, m multirange, c composite, p pseudo */
  typtype: string;
  /** pg_type.typcategory: A array, B boolean, N numeric, S string, D date/time, ... */
  category: string;
  /** element type oid for arrays (pg_type.typelem when category 'A'), else 0 */
  elementOid: number;
  /** base type oid for domains (pg_type.typbasetype), else 0 */
  baseOid: number;
  /** typmod declared on a domain (pg_type.typtypmod), -1 when none */
  baseTypmod: number;
  /** labels in sort order, for enums */
  enumLabels?: string[];
}

/** Lookup of type facts by oid. Built-in types may be absent: the mapping table knows their oids. */
export interface TypeCatalog {
  get(oid: number): PgTypeInfo | undefined;
}

/** A column as pgoutput's Relation message (or a snapshot query) describes it. */
export interface ColumnDescriptor {
  name: string;
  typeOid: number;
  /** atttypmod: -1 when unconstrained; for numeric ((p << 16) | s) + 4; for time/timestamp the precision */
  typeMod: number;
  /** part of the replica identity / primary key */
  isKey: boolean;
  /** attnotnull; pgoutput does not send it, so it comes from the catalog (src/postgres/table-catalog.ts) */
  notNull: boolean;
}
