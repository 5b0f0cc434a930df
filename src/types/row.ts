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
}

export function row(schema: (ctx: TypeContext) => AvroSchema, converter: (ctx: TypeContext) => Converter): TypeRow {
  return { schema, converter };
}

/** Precision of time/timestamp types: the typmod, or 6 when unconstrained (pgjdbc's getScale). */
export function timePrecision(typmod: number): number {
  return typmod < 0 ? 6 : typmod;
}
