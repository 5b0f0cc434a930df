import type { DecodedRecord } from './topics.js';

/**
 * Rebuilds a table from its change events the way a sink would: create/update/read upsert the row
 * by key, delete and tombstone remove it, truncate empties the table. Rows are compared as JSON.
 */
export function rebuildTable(records: DecodedRecord[], keyOf: (row: Record<string, unknown>) => string): Map<string, Record<string, unknown>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const r of records) {
    if (r.value === null) {
      if (r.key) rows.delete(keyOf(r.key));
      continue;
    }
    const { op, before, after } = r.value;
    if (op === 'c' || op === 'u' || op === 'r') rows.set(keyOf(after), after);
    else if (op === 'd') rows.delete(keyOf(before));
    else if (op === 't') rows.clear();
  }
  return rows;
}
