import type { Logger } from 'pino';
import type { CapturedColumn, TableSchema } from '../events/table-schema.js';
import type { ConversionError } from '../types/errors.js';

/** At most one warning per column in this long; the ones between are counted into the next. */
const WARN_EVERY_MS = 60_000;

/**
 * Warns when a value is written as null because its schema cannot carry it (Debezium's behaviour
 * for numeric NaN under decimal.handling.mode=precise): the first time per column at once, then at
 * most once a minute per column with how many there were since, so a table full of NaN does not
 * flood the log. Never logs the row's values.
 */
export function nullValueWarner(log: Logger): (table: TableSchema, column: CapturedColumn, err: ConversionError) => void {
  const seen = new Map<string, { lastMs: number; since: number }>();
  return (table, column, err) => {
    const where = `${table.schema}.${table.table}.${column.name}`;
    const now = Date.now();
    const entry = seen.get(where);
    if (entry && now - entry.lastMs < WARN_EVERY_MS) {
      entry.since++;
      return;
    }
    log.warn({ column: where, count: (entry?.since ?? 0) + 1, reason: err.message, remedy: err.remedy }, 'value written as null: its schema cannot carry it (as Debezium does)');
    seen.set(where, { lastMs: now, since: 0 });
  };
}
