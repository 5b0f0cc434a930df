import { named } from '../schemas.js';
import { row, type TypeRow } from '../row.js';
import { hstoreJson, parseHstore } from '../text/hstore.js';

/**
 * hstore (extension), per hstore.handling.mode:
 * - json (default): io.debezium.data.Json string, the entries as Jackson writes them, in the order
 *   of pgjdbc's HashMap (`{"k":"v","n":null}`);
 * - map: an Avro map of optional strings (keys are not nullable, values are).
 */
export const hstoreRow: TypeRow = row(
  (ctx) => (ctx.options.hstoreHandlingMode === 'map' ? { type: 'map', values: ['null', 'string'] } : named('string', 'io.debezium.data.Json')),
  (ctx) =>
    ctx.options.hstoreHandlingMode === 'map'
      ? (text) => Object.fromEntries(parseHstore(text))
      : (text) => hstoreJson(parseHstore(text)),
  { fallback: (ctx) => (ctx.options.hstoreHandlingMode === 'map' ? {} : '{}') },
);
