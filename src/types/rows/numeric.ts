import { TextFormatError } from '../errors.js';
import { decimal, INT16, variableScaleDecimal } from '../schemas.js';
import { row, type Converter, type TypeContext, type TypeRow } from '../row.js';
import { longValue } from '../text/calendar.js';
import { parseMoney, parseNumeric, twosComplement, unscaledDigits, variableScale } from '../text/numeric.js';

function bad(kind: string, text: string): never {
  throw new TextFormatError(`malformed ${kind} text: ${text.length > 60 ? text.slice(0, 57) + '...' : text}`);
}

/** int2/int4 (and any int that fits a JS number exactly) */
export function parseIntText(text: string): number {
  const v = +text;
  if (!Number.isInteger(v) || text.length === 0) bad('integer', text);
  return v;
}

/** int8/oid: an Avro long, a number when exact else a bigint */
export function parseLongText(text: string): number | bigint {
  if (text.length <= 15) return parseIntText(text);
  try {
    return longValue(BigInt(text));
  } catch {
    return bad('bigint', text);
  }
}

/** float4/float8: NaN, Infinity and -Infinity are kept (Avro float/double can carry them). */
export function parseFloatText(text: string): number {
  const v = +text;
  if (Number.isNaN(v) && text !== 'NaN') bad('floating-point', text);
  return v;
}

/** numeric's typmod: ((precision << 16) | (scale & 0x7ff)) + 4, scale being signed 11 bits since PostgreSQL 15. */
export function numericTypmod(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null;
  const t = typmod - 4;
  return { precision: (t >> 16) & 0xffff, scale: ((t & 0x7ff) ^ 0x400) - 0x400 };
}

const PRECISE_SPECIAL_REMEDY = 'set decimal.handling.mode=string or decimal.handling.mode=double to capture NaN and infinite numerics';

/**
 * Debezium's string form of the special values in decimal.handling.mode=string: the names of
 * SpecialValueDecimal's enum ("NAN", "POSITIVE_INFINITY", "NEGATIVE_INFINITY"), as its tests expect.
 */
export const SPECIAL_STRINGS: Record<'NaN' | 'Infinity' | '-Infinity', string> = {
  NaN: 'NAN',
  Infinity: 'POSITIVE_INFINITY',
  '-Infinity': 'NEGATIVE_INFINITY',
};

/**
 * numeric:
 *  - precise, numeric(p,s): Connect Decimal, scale s and precision parameter p; value = unscaled
 *    two's-complement bytes. A negative scale (PostgreSQL 15) is written as scale 0 with precision
 *    p - s (the value is an integer); Debezium mis-reads such typmods.
 *  - precise, unconstrained: io.debezium.data.VariableScaleDecimal {scale, value}, trailing zeros
 *    of the fraction stripped like Debezium does.
 *  - double: double; string: the text (plain notation, as PostgreSQL prints it).
 * NaN/Infinity/-Infinity in precise mode cannot be represented: Debezium throws
 * ("Got a special value (NaN/Infinity) for Decimal type ..."), and so does pgcdc (ConversionError
 * with the remedy) rather than dropping data. double gives NaN/±Infinity, string gives
 * "NAN"/"POSITIVE_INFINITY"/"NEGATIVE_INFINITY" like Debezium.
 */
export const numericRow: TypeRow = row(
  (ctx) => {
    const mode = ctx.options.decimalHandlingMode;
    if (mode === 'double') return 'double';
    if (mode === 'string') return 'string';
    const ps = numericTypmod(ctx.typmod);
    if (!ps) return variableScaleDecimal();
    return ps.scale >= 0 ? decimal(ps.scale, ps.precision) : decimal(0, ps.precision - ps.scale);
  },
  (ctx): Converter => {
    const mode = ctx.options.decimalHandlingMode;
    if (mode === 'double') return parseFloatText;
    if (mode === 'string') {
      return (text) => {
        const v = parseNumeric(text);
        return v.special === null ? text : SPECIAL_STRINGS[v.special];
      };
    }
    const ps = numericTypmod(ctx.typmod);
    if (!ps) {
      return (text) => {
        const v = parseNumeric(text);
        if (v.special !== null) throw new TextFormatError(`${v.special} cannot be represented as a decimal`, PRECISE_SPECIAL_REMEDY, true);
        const vs = variableScale(v);
        return { scale: vs.scale, value: twosComplement(v.negative, vs.digits) };
      };
    }
    const scale = Math.max(0, ps.scale);
    return (text) => {
      const v = parseNumeric(text);
      if (v.special !== null) throw new TextFormatError(`${v.special} cannot be represented as a decimal`, PRECISE_SPECIAL_REMEDY, true);
      return twosComplement(v.negative, unscaledDigits(v, scale, false));
    };
  },
);

/**
 * money: Connect Decimal with scale money.fraction.digits and no precision parameter (so the Avro
 * "precision" is AvroData's default 64), rounded HALF_UP like Debezium; double; or string
 * (BigDecimal.toPlainString of the amount: "-1234.56"). See parseMoney for the lc_monetary
 * assumption.
 */
export const moneyRow: TypeRow = row(
  (ctx) => {
    const mode = ctx.options.decimalHandlingMode;
    return mode === 'double' ? 'double' : mode === 'string' ? 'string' : decimal(ctx.options.moneyFractionDigits);
  },
  (ctx: TypeContext): Converter => {
    const mode = ctx.options.decimalHandlingMode;
    const digits = ctx.options.moneyFractionDigits;
    const plain = (text: string): string => {
      const m = parseMoney(text);
      const int = m.int.replace(/^0+(?=\d)/, '');
      return `${m.negative ? '-' : ''}${int}${m.frac.length > 0 ? '.' + m.frac : ''}`;
    };
    if (mode === 'double') return (text) => Number(plain(text));
    if (mode === 'string') return plain;
    return (text) => {
      const m = parseMoney(text);
      return twosComplement(m.negative, unscaledDigits(m, digits, true));
    };
  },
);

export const int2Row: TypeRow = row(INT16, () => parseIntText);
export const int4Row: TypeRow = row(() => 'int', () => parseIntText);
export const int8Row: TypeRow = row(() => 'long', () => parseLongText);
export const float4Row: TypeRow = row(() => 'float', () => parseFloatText);
export const float8Row: TypeRow = row(() => 'double', () => parseFloatText);
