import type { AvroSchema, ConversionOptions } from './mapping.js';

/** What a table row needs to know about one column to build its schema and converter. */
export interface TypeContext {
  /** the effective type modifier: the column's atttypmod, else its domain's typtypmod; -1 when none */
  typmod: number;
  options: ConversionOptions;
  /** enum labels in sort order (enums only) */
  enumLabels?: readonly string[];
}

/** Converts one PostgreSQL text value; throws TextFormatError (or ConversionError) when it cannot. */
export type Converter = (text: string) => unknown;

/**
 * One row of the mapping table: the Avro schema of a PostgreSQL type and a factory of its
 * converter. Both are evaluated once per column (at Relation time), so per-row work is only the
 * returned closure.
 */
export interface TypeRow {
  schema(ctx: TypeContext): AvroSchema;
  converter(ctx: TypeContext): Converter;
  /** Debezium's builder is itself optional (Geometry, Circle, Line): the field is ["null", ...] even for a NOT NULL column */
  optionalSchema?: boolean;
  /** the value Debezium substitutes when a NOT NULL column has no value (its convertValue fallback); absent: zero of the Avro type */
  fallback?: (ctx: TypeContext) => unknown;
  /** pg_type.typdelim, the element separator of arrays of this type, when not "," (box: ";") */
  arrayDelimiter?: string;
  /** Debezium's value for an unchanged TOASTed column of this type, from unavailable.value.placeholder; absent: by Avro type */
  unavailable?: (ctx: TypeContext) => (placeholder: string) => unknown;
}

export function row(
  schema: (ctx: TypeContext) => AvroSchema,
  converter: (ctx: TypeContext) => Converter,
  extra: Pick<TypeRow, 'optionalSchema' | 'fallback' | 'arrayDelimiter' | 'unavailable'> = {},
): TypeRow {
  return { schema, converter, ...extra };
}

/** Precision of time/timestamp types: the typmod, or 6 when unconstrained (pgjdbc's getScale). */
export function timePrecision(typmod: number): number {
  return typmod < 0 ? 6 : typmod;
}
