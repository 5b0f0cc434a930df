import type { AvroSchema } from './mapping.js';

/**
 * Avro schemas exactly as the Confluent Avro converter (io.confluent.connect.avro.AvroData)
 * writes Debezium's Kafka Connect schemas. AvroData adds, in this order: Connect's doc as
 * "connect.doc", version as "connect.version", parameters as "connect.parameters" (strings),
 * the schema name as "connect.name", then INT8/INT16 get "connect.type", and Connect's logical
 * types get Avro's "logicalType" last. Decimal also gets "scale" and "precision" (64 when Connect
 * has no connect.decimal.precision parameter) right after "type". Primitive schemas without any
 * of that are the bare type name. Every call returns a fresh object (callers may embed or mutate it).
 */

export const INT16 = (): AvroSchema => ({ type: 'int', 'connect.type': 'int16' });

/** A Debezium semantic type on a primitive: {type, connect.version: 1, [connect.parameters], connect.name}. */
export function named(type: string, name: string, parameters?: Record<string, string>): AvroSchema {
  return parameters
    ? { type, 'connect.version': 1, 'connect.parameters': parameters, 'connect.name': name }
    : { type, 'connect.version': 1, 'connect.name': name };
}

/** org.apache.kafka.connect.data.Decimal; `precision` undefined when Debezium sets none (money). */
export function decimal(scale: number, precision?: number): AvroSchema {
  const parameters: Record<string, string> = { scale: String(scale) };
  if (precision !== undefined) parameters['connect.decimal.precision'] = String(precision);
  return {
    type: 'bytes',
    scale,
    precision: precision ?? 64,
    'connect.version': 1,
    'connect.parameters': parameters,
    'connect.name': 'org.apache.kafka.connect.data.Decimal',
    logicalType: 'decimal',
  };
}

/**
 * io.debezium.data.VariableScaleDecimal, a Connect struct: an Avro record in namespace
 * io.debezium.data with the struct's doc as "connect.doc" (AvroData does not copy it to the
 * record's own "doc"). NOTE for whoever assembles the row record: Avro forbids defining a named
 * type twice, so a second VariableScaleDecimal column (or array) in the same schema must refer to
 * it by its full name "io.debezium.data.VariableScaleDecimal", as AvroData does.
 */
export function variableScaleDecimal(): AvroSchema {
  return {
    type: 'record',
    name: 'VariableScaleDecimal',
    namespace: 'io.debezium.data',
    fields: [
      { name: 'scale', type: 'int' },
      { name: 'value', type: 'bytes' },
    ],
    'connect.doc': 'Variable scaled decimal',
    'connect.version': 1,
    'connect.name': 'io.debezium.data.VariableScaleDecimal',
  };
}

export const VARIABLE_SCALE_DECIMAL_NAME = 'io.debezium.data.VariableScaleDecimal';

/** Kafka Connect's own logical types (time.precision.mode=connect). */
export function connectLogical(type: 'int' | 'long', name: 'Date' | 'Time' | 'Timestamp'): AvroSchema {
  const logicalType = name === 'Date' ? 'date' : name === 'Time' ? 'time-millis' : 'timestamp-millis';
  return { type, 'connect.version': 1, 'connect.name': `org.apache.kafka.connect.data.${name}`, logicalType };
}

/** Debezium's array schemas: items are optional (["null", item]) except for enum arrays. */
export function arrayOf(items: AvroSchema, optionalItems: boolean): AvroSchema {
  return { type: 'array', items: optionalItems ? ['null', items] : items };
}

const optionalField = (name: string, type: AvroSchema): AvroSchema => ({ name, type: ['null', type], default: null });

/**
 * A Debezium struct as AvroData writes it: a record named after the Connect schema's name, its doc
 * as "connect.doc" after the fields. A record nested in another record of the same namespace is
 * written without "namespace" (Avro's Schema.toString leaves out an inherited namespace).
 */
function struct(fullName: string, doc: string, version: number, fields: AvroSchema[], nested = false): AvroSchema {
  const dot = fullName.lastIndexOf('.');
  return {
    type: 'record',
    name: fullName.slice(dot + 1),
    ...(nested ? {} : { namespace: fullName.slice(0, dot) }),
    fields,
    'connect.doc': doc,
    'connect.version': version,
    'connect.name': fullName,
  };
}

export const POINT_NAME = 'io.debezium.data.geometry.Point';
export const GEOMETRY_NAME = 'io.debezium.data.geometry.Geometry';

/** io.debezium.data.geometry.Point (version 1): {x, y, wkb optional, srid optional}. */
export function pointSchema(nested = false): AvroSchema {
  return struct(POINT_NAME, 'Geometry (POINT)', 1, [
    { name: 'x', type: 'double' },
    { name: 'y', type: 'double' },
    optionalField('wkb', 'bytes'),
    optionalField('srid', 'int'),
  ], nested);
}

/** io.debezium.data.geometry.Geometry (version 2, an optional struct): {wkb, srid optional, extensions optional map}. */
export function geometrySchema(): AvroSchema {
  return struct(GEOMETRY_NAME, 'Geometry', 2, [
    { name: 'wkb', type: 'bytes' },
    optionalField('srid', 'int'),
    optionalField('extensions', { type: 'map', values: 'string' }),
  ]);
}

/** io.debezium.data.geometry.Circle (version 1, an optional struct): {center Point, radius}. */
export function circleSchema(): AvroSchema {
  return struct('io.debezium.data.geometry.Circle', 'Geometry (CIRCLE)', 1, [
    { name: 'center', type: pointSchema(true) },
    { name: 'radius', type: 'double' },
  ]);
}

/** io.debezium.data.geometry.Line (version 1, an optional struct): {a, b, c} of Ax + By + C = 0. */
export function lineSchema(): AvroSchema {
  return struct('io.debezium.data.geometry.Line', 'Geometry (LINE)', 1, [
    { name: 'a', type: 'double' },
    { name: 'b', type: 'double' },
    { name: 'c', type: 'double' },
  ]);
}
