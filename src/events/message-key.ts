/**
 * message.key.columns, as Debezium documents it: `<table regex>:<column>,<column>;<table regex>:...`.
 * Like Debezium, each `<table regex>:<column>` becomes the pattern `<table regex>.<column>` matched
 * (case-insensitively, whole name) against `schema.table.column`; the key is the matching columns in
 * the order the patterns are listed, instead of the primary key. Debezium silently falls back to
 * the primary key when a table's name matches an entry but none of the entry's columns exists;
 * pgcdc refuses that (a typo in a column name would otherwise go unnoticed).
 */
import { compilePattern } from '../config/filters.js';
import { PgcdcError } from '../errors/pgcdc-error.js';

export interface MessageKeyEntry {
  /** the entry as written, for messages */
  text: string;
  table: string;
  columns: string[];
}

/** Parses the value; returns the entries or the reason it is malformed. */
export function parseMessageKeyColumns(value: string): { entries: MessageKeyEntry[] } | { error: string } {
  const entries: MessageKeyEntry[] = [];
  for (const part of value.split(';')) {
    const text = part.trim();
    if (text === '') continue;
    // Debezium's entry syntax: one ':' and no whitespace inside.
    const m = /^([^\s:]+):([^:\s]+)$/.exec(text);
    const columns = m ? m[2]!.split(',').filter((c) => c !== '') : [];
    if (!m || columns.length === 0) return { error: `entry ${JSON.stringify(text)} must have the form <schema>.<table>:<column>[,<column>...] (no spaces, one ':')` };
    const table = m[1]!;
    for (const pattern of [table, ...columns.map((c) => `${table}.${c}`)]) {
      try {
        compilePattern(pattern);
      } catch (e) {
        return { error: `entry ${JSON.stringify(text)}: invalid regular expression ${JSON.stringify(pattern)} (${(e as Error).message})` };
      }
    }
    entries.push({ text, table, columns });
  }
  return { entries };
}

export type MessageKeyChooser = (schema: string, table: string, columns: readonly string[]) => string[] | null;

/** The key columns (names, table order) for a table, or null when no entry names it (primary key). */
export function messageKeyChooser(entries: readonly MessageKeyEntry[]): MessageKeyChooser {
  const compiled = entries.map((e) => ({ e, table: compilePattern(e.table), columns: e.columns.map((c) => compilePattern(`${e.table}.${c}`)) }));
  return (schema, table, columns) => {
    const name = `${schema}.${table}`;
    const hits = compiled.filter((c) => c.table.test(name));
    if (hits.length === 0) return null;
    const chosen: string[] = [];
    for (const h of hits) {
      for (const p of h.columns) for (const col of columns) if (p.test(`${name}.${col}`) && !chosen.includes(col)) chosen.push(col);
    }
    if (chosen.length === 0) {
      throw new PgcdcError('config', `message.key.columns entry ${JSON.stringify(hits[0]!.e.text)} names table ${name}, but none of its columns matches`, {
        remedy: `list existing columns of ${name} after the ':'`,
      });
    }
    return chosen;
  };
}
