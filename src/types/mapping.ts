import type { ColumnDescriptor, TypeCatalog } from './catalog.js';

/** An Avro schema in JSON form, as written to the schema registry. */
export type AvroSchema = string | { [key: string]: unknown } | AvroSchema[];

/** Settings that change how values are represented (Debezium's *.handling.mode keys). */
export interface ConversionOptions {
  /** decimal.handling.mode */
  decimalHandlingMode: 'precise' | 'double' | 'string';
  /** binary.handling.mode */
  binaryHandlingMode: 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
  /** interval.handling.mode */
  intervalHandlingMode: 'numeric' | 'string';
  /** time.precision.mode ('adaptive' only for now; 'connect' is refused by config validation) */
  timePrecisionMode: 'adaptive' | 'adaptive_time_microseconds' | 'connect';
  /** money.fraction.digits */
  moneyFractionDigits: number;
  /** hstore.handling.mode: json (io.debezium.data.Json string, the default) or map (Avro map of optional strings) */
  hstoreHandlingMode?: 'json' | 'map';
  /**
   * include.unknown.datatypes: map types pgcdc has no mapping for to their text's bytes (shaped by
   * binaryHandlingMode) instead of throwing UnsupportedTypeError. Default false.
   */
  includeUnknownDatatypes?: boolean;
}

/**
 * How one column is represented in the change event: its Avro schema (not nullable; the envelope
 * builder wraps optional columns in ["null", schema]) and the conversion from PostgreSQL's text
 * output format to the Avro value. `convert` never does I/O and never sees SQL NULL (handled by the
 * caller). It throws ConversionError (src/types/errors.ts) for text it cannot represent.
 */
export interface ColumnMapping {
  schema: AvroSchema;
  convert(text: string): unknown;
  /** the field is ["null", schema] whatever the column's NOT NULL (Debezium's optional builders: Geometry, Circle, Line) */
  optionalSchema?: boolean;
  /** what a NOT NULL column carries when it has no value, when not the zero of its Avro type */
  fallback?: unknown;
  /** what an unchanged TOASTed value becomes, when not decided by the Avro type (hstore) */
  unavailable?: (placeholder: string) => unknown;
}
