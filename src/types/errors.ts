import { PgcdcError } from '../errors/pgcdc-error.js';

/**
 * A value whose PostgreSQL text form cannot be represented in the column's Avro schema (malformed
 * text, NaN in decimal.handling.mode=precise, a NULL element in an enum array, ...). Retrying
 * cannot help: the same row would fail again.
 */
export class ConversionError extends PgcdcError {
  override readonly retriable = false;
  readonly table: string;
  readonly column: string;
  readonly typeName: string;
  /** Debezium writes such a value as null (with a warning) where the column allows null */
  readonly writtenAsNull: boolean;

  constructor(table: string, column: string, typeName: string, reason: string, opts: { remedy?: string; cause?: unknown; writtenAsNull?: boolean } = {}) {
    super('conversion', `cannot convert value of column ${column} (${typeName}) in table ${table}: ${reason}`, {
      retriable: false,
      remedy: opts.remedy,
      cause: opts.cause,
    });
    this.name = 'ConversionError';
    this.writtenAsNull = opts.writtenAsNull ?? false;
    this.table = table;
    this.column = column;
    this.typeName = typeName;
  }
}

/**
 * A column whose PostgreSQL type pgcdc has no mapping for (composite types, pseudo-types,
 * extension types without a row such as PostGIS geometry). Debezium leaves columns it has no
 * schema for (composite types) out of the event unless
 * include.unknown.datatypes is set; callers may catch this error and do the same.
 */
export class UnsupportedTypeError extends PgcdcError {
  override readonly retriable = false;
  readonly table: string;
  readonly column: string;
  readonly typeName: string;

  constructor(table: string, column: string, typeName: string, reason = 'no mapping to Avro for this type') {
    super('conversion', `column ${column} of table ${table} has unsupported type ${typeName}: ${reason}`, {
      retriable: false,
      remedy: 'exclude the column with column.exclude.list',
    });
    this.name = 'UnsupportedTypeError';
    this.table = table;
    this.column = column;
    this.typeName = typeName;
  }
}

/**
 * Thrown by the pure text parsers (src/types/text/*), which know nothing about tables and
 * columns; mapColumn's converter turns it into a ConversionError naming both.
 */
export class TextFormatError extends Error {
  readonly remedy?: string;
  /** a well-formed value the schema cannot carry, which Debezium writes as null (NaN in a precise decimal) */
  readonly writtenAsNull: boolean;
  constructor(message: string, remedy?: string, writtenAsNull = false) {
    super(message);
    this.name = 'TextFormatError';
    this.remedy = remedy;
    this.writtenAsNull = writtenAsNull;
  }
}
