/**
 * Table and column selection with Debezium's semantics: every list entry is a regular expression
 * matched (case-insensitively) against the WHOLE identifier `schema.table` or `schema.table.column`,
 * never a substring; an include list selects only what matches, an exclude list drops what matches.
 */
import { backtrackingRisk } from './regex-safety.js';

export interface FilterLists {
  schemaIncludeList: readonly string[] | null;
  schemaExcludeList: readonly string[] | null;
  tableIncludeList: readonly string[] | null;
  tableExcludeList: readonly string[] | null;
  columnIncludeList: readonly string[] | null;
  columnExcludeList: readonly string[] | null;
}

export type TableFilter = (schema: string, table: string) => boolean;
export type ColumnFilter = (schema: string, table: string, column: string) => boolean;

/**
 * Compiles one Debezium (Java) regex, anchored to the whole identifier. Java allows a leading `(?i)`
 * that JavaScript rejects; matching is case-insensitive anyway, so it is dropped. A pattern that
 * could backtrack catastrophically is refused (regex-safety.ts): it would freeze the worker.
 */
export function compilePattern(pattern: string): RegExp {
  const body = pattern.replace(/^\(\?i\)/, '');
  const risk = backtrackingRisk(body);
  if (risk !== undefined) throw new SyntaxError(`refused: ${risk}`);
  return new RegExp(`^(?:${body})$`, 'i');
}

/** Schemas PostgreSQL owns; Debezium never captures them, whatever the lists say. */
export function isSystemSchema(schema: string): boolean {
  const s = schema.toLowerCase();
  return s === 'pg_catalog' || s === 'information_schema' || s.startsWith('pg_toast') || s.startsWith('pg_temp');
}

function matcher(list: readonly string[] | null): ((id: string) => boolean) | null {
  if (!list || list.length === 0) return null;
  const patterns = list.map(compilePattern);
  return (id) => patterns.some((p) => p.test(id));
}

/** include wins when set; otherwise exclude; otherwise everything passes. */
function selector(include: readonly string[] | null, exclude: readonly string[] | null): (id: string) => boolean {
  const inc = matcher(include);
  if (inc) return inc;
  const exc = matcher(exclude);
  return exc ? (id) => !exc(id) : () => true;
}

export function tableFilter(lists: FilterLists): TableFilter {
  const schemaOk = selector(lists.schemaIncludeList, lists.schemaExcludeList);
  const tableOk = selector(lists.tableIncludeList, lists.tableExcludeList);
  return (schema, table) => !isSystemSchema(schema) && schemaOk(schema) && tableOk(`${schema}.${table}`);
}

/** message.prefix.include.list / exclude.list: whether a logical decoding message's prefix is emitted. */
export function messagePrefixFilter(include: readonly string[] | null, exclude: readonly string[] | null): (prefix: string) => boolean {
  return selector(include, exclude);
}

export function columnFilter(lists: FilterLists): ColumnFilter {
  const columnOk = selector(lists.columnIncludeList, lists.columnExcludeList);
  return (schema, table, column) => columnOk(`${schema}.${table}.${column}`);
}

/**
 * The order an initial snapshot reads tables in, as Debezium's: for each `table.include.list`
 * entry in the order given, the tables it matches sorted by schema then name (Java's String
 * order), each table once; without an include list all of them sorted that way.
 */
export function snapshotOrder<T extends { schema: string; table: string }>(tables: readonly T[], includeList: readonly string[] | null): T[] {
  const byName = (a: T, b: T) => (a.schema === b.schema ? compareJava(a.table, b.table) : compareJava(a.schema, b.schema));
  if (!includeList || includeList.length === 0) return [...tables].sort(byName);
  const out = new Set<T>();
  for (const pattern of includeList) {
    const re = compilePattern(pattern);
    for (const t of tables.filter((x) => re.test(`${x.schema}.${x.table}`)).sort(byName)) out.add(t);
  }
  // a table the include list let through by another rule (none today) keeps a place at the end
  for (const t of [...tables].sort(byName)) out.add(t);
  return [...out];
}

/** String.compareTo: UTF-16 code units, not the database's collation. */
function compareJava(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
