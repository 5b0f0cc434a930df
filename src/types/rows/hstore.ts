import { named } from '../schemas.js';
import { row, type TypeRow } from '../row.js';
import { hstoreJson, parseHstore } from '../text/hstore.js';

/**
 * hstore (extension), per hstore.handling.mode:
 * - json (default): io.debezium.data.Json string, the entries as Jackson writes them, in the order
 *   of pgjdbc's HashMap (`{"k":"v","n":null}`);
 * - map: an Avro map of optional strings (keys are not nullable, values are).
 * An unchanged TOASTed hstore is the one-entry map {placeholder: placeholder} (Debezium's
 * UnchangedToastedPlaceholder), in JSON or as a map.
 */
export const hstoreRow: TypeRow = row(
  (ctx) => (ctx.options.hstoreHandlingMode === 'map' ? { type: 'map', values: ['null', 'string'] } : named('string', 'io.debezium.data.Json')),
  (ctx) =>
    ctx.options.hstoreHandlingMode === 'map'
      ? (text) => Object.fromEntries(parseHstore(text))
      : (text) => hstoreJson(parseHstore(text)),
  {
    fallback: (ctx) => (ctx.options.hstoreHandlingMode === 'map' ? {} : '{}'),
    // Debezium's UNCHANGED_HSTORE_TOAST_VALUE: the map {placeholder: placeholder}, as JSON in json mode
    unavailable: (ctx) => (ctx.options.hstoreHandlingMode === 'map' ? (p) => ({ [p]: p }) : (p) => hstoreJson([[p, p]])),
  },
);
