/**
 * A column default in the Avro schema, as the Confluent converter writes a Connect schema with a
 * default: `connect.default` on the field's type (after `connect.parameters`, before
 * `connect.name`), the Avro field `default`, and for an optional column the type first in the
 * union (`[T, "null"]`), since an Avro union's default must match its first branch.
 */
import type { TypeCatalog } from '../types/catalog.js';
import type { ColumnMapping } from '../types/mapping.js';
import { BUILTIN_TYPE_NAMES } from '../types/oids.js';
import { defaultText } from '../types/column-default.js';

export interface FieldDefault {
  /** the default as the column's converter returns values (what a missing NOT NULL value becomes) */
  value: unknown;
  /** the same value in Avro's JSON form, for the schema */
  json: unknown;
}

/**
 * The default of a column of type `typeOid` stored as `expression`, or null when Debezium's
 * schema would carry none (no rule for the type, a text its converter refuses, a value Avro JSON
 * cannot hold exactly).
 */
export function fieldDefault(expression: string | null, typeOid: number, catalog: TypeCatalog, mapping: ColumnMapping): FieldDefault | null {
  if (expression === null) return null;
  const info = catalog.get(typeOid);
  const typeName = BUILTIN_TYPE_NAMES.get(typeOid) ?? info?.name ?? '';
  const text = defaultText(expression, typeName, info?.typtype === 'e');
  if (text === null) return null;
  let value: unknown;
  try {
    value = mapping.convert(text);
  } catch {
    return null; // Debezium logs "Cannot parse column default value" and leaves the default out
  }
  const json = avroJson(value);
  return json === undefined ? null : { value, json };
}

/** Avro's JSON encoding of a default: bytes as a string of code points 0-255. */
function avroJson(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return undefined; // structs (VariableScaleDecimal): Connect cannot carry them as defaults (KAFKA-12694)
}

/** The column's Avro type with `connect.default` where AvroData puts it. */
export function withConnectDefault(schema: unknown, json: unknown): unknown {
  const base: Record<string, unknown> = typeof schema === 'string' ? { type: schema } : (schema as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [k, v] of Object.entries(base)) {
    if (!placed && (k === 'connect.name' || k === 'connect.type' || k === 'logicalType')) {
      out['connect.default'] = json;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out['connect.default'] = json;
  return out;
}
