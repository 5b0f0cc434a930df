import { TextFormatError } from '../errors.js';
import { named } from '../schemas.js';
import { row, type Converter, type TypeContext, type TypeRow } from '../row.js';
import { base64UrlPadded, bitsToBytes, parseBit, parseByteaHex } from '../text/binary.js';

const identity: Converter = (text) => text;

/** A plain Avro string holding PostgreSQL's text as is. */
export const STRING_ROW: TypeRow = row(
  () => 'string',
  () => identity,
);

/** A string carrying a Debezium semantic name (io.debezium.data.Json, ...), value as is. */
export function namedString(name: string): TypeRow {
  return row(
    () => named('string', name),
    () => identity,
  );
}

export function parseBoolText(text: string): boolean {
  if (text === 't') return true;
  if (text === 'f') return false;
  throw new TextFormatError(`malformed boolean text: ${text.slice(0, 20)}`);
}

/** binary.handling.mode: bytes (Buffer), base64, base64-url-safe (padded, like Java's URL encoder), hex (lowercase). */
export function binarySchema(ctx: TypeContext): 'bytes' | 'string' {
  return ctx.options.binaryHandlingMode === 'bytes' ? 'bytes' : 'string';
}

export function binaryEncoder(ctx: TypeContext): (buf: Buffer) => Buffer | string {
  switch (ctx.options.binaryHandlingMode) {
    case 'base64':
      return (buf) => buf.toString('base64');
    case 'base64-url-safe':
      return base64UrlPadded;
    case 'hex':
      return (buf) => buf.toString('hex');
    default:
      return (buf) => buf;
  }
}

export const byteaRow: TypeRow = row(binarySchema, (ctx) => {
  const encode = binaryEncoder(ctx);
  return ctx.options.binaryHandlingMode === 'bytes' ? parseByteaHex : (text) => encode(parseByteaHex(text));
});

/** varbit without a length: Debezium's Bits length is then Integer.MAX_VALUE */
const UNBOUNDED_BITS = 2147483647;

/**
 * bit(n) and varbit(n): n = 1 is a boolean; longer ones are io.debezium.data.Bits bytes with the
 * declared length as parameter "length" (see bitsToBytes for Debezium's little-endian layout).
 * A bit column always has a length (bit alone is bit(1)); an unconstrained varbit gets length
 * 2147483647.
 */
export function bitRow(varying: boolean): TypeRow {
  const length = (ctx: TypeContext): number => (ctx.typmod >= 0 ? ctx.typmod : varying ? UNBOUNDED_BITS : 1);
  return row(
    (ctx) => (length(ctx) > 1 ? named('bytes', 'io.debezium.data.Bits', { length: String(length(ctx)) }) : 'boolean'),
    (ctx) => (length(ctx) > 1 ? bitsToBytes : parseBit),
  );
}

export const boolRow: TypeRow = row(
  () => 'boolean',
  () => parseBoolText,
);
