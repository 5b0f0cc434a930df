import type { ColumnDescriptor, TypeCatalog } from './catalog.js';
import { ConversionError, TextFormatError, UnsupportedTypeError } from './errors.js';
import type { AvroSchema, ColumnMapping, ConversionOptions } from './mapping.js';
import { BUILTIN_ARRAY_ELEMENTS, BUILTIN_TYPE_NAMES } from './oids.js';
import type { Converter, TypeContext, TypeRow } from './row.js';
import { arrayOf } from './schemas.js';
import { ENUM_ROW, TYPE_TABLE, UNKNOWN_ROW } from './table.js';
import { parseArrayText } from './text/array.js';

export { ConversionError, UnsupportedTypeError } from './errors.js';
export { TYPE_TABLE } from './table.js';
export { INFINITY } from './rows/temporal.js';
export { VARIABLE_SCALE_DECIMAL_NAME } from './schemas.js';

/** Debezium's defaults for the *.handling.mode settings. */
export const defaultConversionOptions: Readonly<ConversionOptions> = Object.freeze({
  decimalHandlingMode: 'precise',
  binaryHandlingMode: 'bytes',
  intervalHandlingMode: 'numeric',
  timePrecisionMode: 'adaptive',
  moneyFractionDigits: 2,
  includeUnknownDatatypes: false,
  hstoreHandlingMode: 'json',
});

/**
 * The Avro schema and the text converter of one column.
 *
 * Resolution: built-in types by oid (src/types/oids.ts) through TYPE_TABLE; other types through
 * the catalog: domains (typtype 'd') as their base type with the domain's typmod when the column
 * has none, enums ('e') as io.debezium.data.Enum, arrays (category 'A') as Avro arrays of the
 * element's mapping, ranges and multiranges ('r', 'm') as strings, other base types by name in
 * TYPE_TABLE (extensions such as citext and hstore).
 *
 * Unsupported types (composite types, pseudo types, unknown extension types such as PostGIS's
 * geometry) THROW UnsupportedTypeError naming the table and column; there is no silent string
 * fallback. Debezium leaves such columns out of its events, which a caller can mimic by catching
 * UnsupportedTypeError and skipping the column. With options.includeUnknownDatatypes they are
 * mapped like Debezium's include.unknown.datatypes=true: the text's bytes per binaryHandlingMode.
 *
 * `convert` throws ConversionError (table, column, type, reason, remedy) for text it cannot
 * represent.
 */
export function mapColumn(col: ColumnDescriptor, catalog: TypeCatalog, options: ConversionOptions, table: string): ColumnMapping {
  const where: Where = { table, column: col.name, catalog, options };
  const resolved = resolve(col.typeOid, col.typeMod, where, 0);
  const inner = resolved.convert;
  const typeName = resolved.typeName;
  return {
    schema: resolved.schema,
    ...(resolved.optionalSchema ? { optionalSchema: true } : {}),
    ...(resolved.fallback !== undefined ? { fallback: resolved.fallback } : {}),
    ...(resolved.unavailable ? { unavailable: resolved.unavailable } : {}),
    convert(text: string): unknown {
      try {
        return inner(text);
      } catch (err) {
        throw asConversionError(err, table, col.name, typeName);
      }
    },
  };
}

interface Where {
  table: string;
  column: string;
  catalog: TypeCatalog;
  options: ConversionOptions;
}

interface Resolved {
  schema: AvroSchema;
  convert: Converter;
  typeName: string;
  /** enum arrays have non-optional items in Debezium */
  isEnum: boolean;
  optionalSchema?: boolean;
  fallback?: unknown;
  /** the element separator of an array of this type */
  arrayDelimiter?: string;
  unavailable?: (placeholder: string) => unknown;
}

function fromRow(r: TypeRow, typeName: string, ctx: TypeContext, isEnum = false): Resolved {
  const out: Resolved = { schema: r.schema(ctx), convert: r.converter(ctx), typeName, isEnum };
  if (r.optionalSchema) out.optionalSchema = true;
  if (r.fallback) out.fallback = r.fallback(ctx);
  if (r.arrayDelimiter) out.arrayDelimiter = r.arrayDelimiter;
  if (r.unavailable) out.unavailable = r.unavailable(ctx);
  return out;
}

function unsupported(where: Where, typeName: string, typmod: number, reason: string): Resolved {
  if (where.options.includeUnknownDatatypes) return fromRow(UNKNOWN_ROW, typeName, { typmod, options: where.options });
  throw new UnsupportedTypeError(where.table, where.column, typeName, reason);
}

function resolve(oid: number, typmod: number, where: Where, depth: number): Resolved {
  if (depth > 8) throw new UnsupportedTypeError(where.table, where.column, `oid ${oid}`, 'domains or arrays nested too deeply');
  const ctx: TypeContext = { typmod, options: where.options };

  const builtin = BUILTIN_TYPE_NAMES.get(oid);
  if (builtin !== undefined) {
    const r = TYPE_TABLE[builtin];
    return r ? fromRow(r, builtin, ctx) : unsupported(where, builtin, typmod, 'not supported by pgcdc');
  }
  const builtinElement = BUILTIN_ARRAY_ELEMENTS.get(oid);
  if (builtinElement !== undefined) return array(builtinElement, typmod, where, depth);

  const info = where.catalog.get(oid);
  if (!info) return unsupported(where, `oid ${oid}`, typmod, 'type not found in pg_type');
  const qualified = `${info.schema}.${info.name}`;
  switch (info.typtype) {
    case 'd': {
      const base = resolve(info.baseOid, typmod >= 0 ? typmod : info.baseTypmod, where, depth + 1);
      return { ...base, typeName: `${qualified} (domain over ${base.typeName})` };
    }
    case 'e':
      return fromRow(ENUM_ROW, qualified, { ...ctx, enumLabels: info.enumLabels ?? [] }, true);
    case 'r':
    case 'm':
      return fromRow(TYPE_TABLE.text, qualified, ctx);
    case 'c':
      return unsupported(where, qualified, typmod, 'composite types are not supported');
    case 'p':
      return unsupported(where, qualified, typmod, 'pseudo-types are not supported');
    default:
      break;
  }
  if (info.category === 'A' && info.elementOid !== 0) return array(info.elementOid, typmod, where, depth);
  const r = Object.prototype.hasOwnProperty.call(TYPE_TABLE, info.name) ? TYPE_TABLE[info.name] : undefined;
  return r ? fromRow(r, qualified, ctx) : unsupported(where, qualified, typmod, 'not supported by pgcdc');
}

/**
 * Arrays: the element's mapping for every element (the column's typmod applies to the elements,
 * as for numeric(10,2)[]), items ["null", element] since elements may be NULL. Debezium makes
 * enum-array items non-optional; pgcdc keeps that schema and rejects a NULL element of an enum
 * array with a ConversionError. Multi-dimensional arrays are flattened (see parseArrayText).
 */
function array(elementOid: number, typmod: number, where: Where, depth: number): Resolved {
  const element = resolve(elementOid, typmod, where, depth + 1);
  const convertElement = element.convert;
  const optionalItems = !element.isEnum;
  const delimiter = element.arrayDelimiter ?? ',';
  const convert: Converter = (text) => {
    const items = parseArrayText(text, delimiter);
    const out: unknown[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item !== null) out[i] = convertElement(item);
      else if (optionalItems) out[i] = null;
      else throw new TextFormatError('a NULL element in an enum array cannot be represented (Debezium declares enum array items non-optional)', undefined, true);
    }
    return out;
  };
  return { schema: arrayOf(element.schema, optionalItems), convert, typeName: `${element.typeName}[]`, isEnum: false };
}

function asConversionError(err: unknown, table: string, column: string, typeName: string): ConversionError {
  if (err instanceof ConversionError) return err;
  if (err instanceof TextFormatError) return new ConversionError(table, column, typeName, err.message, { remedy: err.remedy, cause: err, writtenAsNull: err.writtenAsNull });
  return new ConversionError(table, column, typeName, err instanceof Error ? err.message : String(err), { cause: err });
}
