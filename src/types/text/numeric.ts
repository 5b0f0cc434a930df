import { TextFormatError } from '../errors.js';

/**
 * numeric output: [-]digits[.digits] in plain notation (never an exponent), or NaN, Infinity,
 * -Infinity (PostgreSQL 14+ numeric has infinities).
 */
export type ParsedNumeric =
  | { special: null; negative: boolean; int: string; frac: string }
  | { special: 'NaN' | 'Infinity' | '-Infinity' };

export function parseNumeric(text: string): ParsedNumeric {
  const c0 = text.charCodeAt(0);
  if (c0 === 0x4e /* N */ && text === 'NaN') return { special: 'NaN' };
  if (c0 === 0x49 /* I */ && text === 'Infinity') return { special: 'Infinity' };
  if (c0 === 0x2d && text === '-Infinity') return { special: '-Infinity' };
  const negative = c0 === 0x2d;
  const start = negative ? 1 : 0;
  const dot = text.indexOf('.', start);
  const intEnd = dot < 0 ? text.length : dot;
  if (!allDigits(text, start, intEnd) || intEnd === start || (dot >= 0 && !allDigits(text, dot + 1, text.length))) {
    throw new TextFormatError(`malformed numeric text: ${clip(text)}`);
  }
  return { special: null, negative, int: text.slice(start, intEnd), frac: dot < 0 ? '' : text.slice(dot + 1) };
}

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Unscaled digits of a finite value at exactly `scale` fractional digits. Extra digits are
 * rounded half-up (java.math.RoundingMode.HALF_UP, used by Debezium for money) when `round`
 * is set, else they are an error (Debezium's setScale without rounding throws).
 */
export function unscaledDigits(v: { int: string; frac: string }, scale: number, round: boolean): string {
  let frac = v.frac;
  if (frac.length < scale) frac = frac.padEnd(scale, '0');
  else if (frac.length > scale) {
    const dropped = frac.slice(scale);
    if (!round && /[1-9]/.test(dropped)) throw new TextFormatError(`value ${v.int}.${v.frac} has more than ${scale} fractional digits`);
    const up = round && dropped.charCodeAt(0) >= 0x35; /* '5' */
    const kept = v.int + frac.slice(0, scale);
    return up ? (BigInt(kept) + 1n).toString() : stripLeadingZeros(kept);
  }
  return stripLeadingZeros(v.int + frac);
}

function stripLeadingZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 0x30) i++;
  return i === 0 ? s : s.slice(i);
}

/**
 * VariableScaleDecimal's representation: Debezium strips trailing zeros of the fraction
 * (BigDecimal.stripTrailingZeros, then a negative scale is reset to 0), so 10.1000 is
 * {scale: 1, unscaled 101} and 100 is {scale: 0, unscaled 100}.
 */
export function variableScale(v: { int: string; frac: string }): { scale: number; digits: string } {
  let end = v.frac.length;
  while (end > 0 && v.frac.charCodeAt(end - 1) === 0x30) end--;
  return { scale: end, digits: stripLeadingZeros(v.int + v.frac.slice(0, end)) };
}

/**
 * Big-endian two's-complement bytes of a signed integer given as decimal digits, minimal length
 * (java.math.BigInteger.toByteArray, which Connect's Decimal and Debezium use): 0 is [0x00],
 * 128 is [0x00, 0x80], -1 is [0xff], -129 is [0xff, 0x7f].
 */
export function twosComplement(negative: boolean, digits: string): Buffer {
  if (digits.length <= 15) return smallTwosComplement(negative ? -Number(digits) : Number(digits));
  let v = BigInt(digits);
  // two's complement of -x is the bitwise complement of x - 1
  if (negative) v -= 1n;
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (hex.charCodeAt(0) >= 0x38 /* '8' */) hex = `00${hex}`;
  const buf = Buffer.from(hex, 'hex');
  if (negative) for (let i = 0; i < buf.length; i++) buf[i] = ~buf[i] & 0xff;
  return buf;
}

function smallTwosComplement(v: number): Buffer {
  if (v === 0) return Buffer.from([0]);
  let len = 1;
  let lim = 128;
  while (v >= lim || v < -lim) {
    len++;
    lim *= 256;
  }
  const buf = Buffer.allocUnsafe(len);
  for (let i = len - 1; i >= 0; i--) {
    const b = v % 256;
    buf[i] = b < 0 ? b + 256 : b;
    v = Math.floor(v / 256);
  }
  return buf;
}

/**
 * money output in lc_monetary's format. pgcdc assumes a C or en_US-like lc_monetary (the
 * connection does not set it): a currency symbol before the amount, "," as group separator,
 * "." as decimal point, and a leading "-" (or parentheses) for negatives: $1,234.56, -$1.00,
 * ($1.00). Debezium's PostgresMoney.parse makes the same assumption. Locales with "," as decimal
 * point or a trailing currency symbol would be misread and are rejected when ambiguous.
 */
export function parseMoney(text: string): { negative: boolean; int: string; frac: string } {
  let negative = false;
  let digits = '';
  let frac: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (frac === null) digits += text[i];
      else frac += text[i];
    } else if (c === 0x2e /* . */) {
      if (frac !== null) throw new TextFormatError(`malformed money text (two decimal points; lc_monetary must use "."): ${clip(text)}`);
      frac = '';
    } else if (c === 0x2d /* - */ || c === 0x28 /* ( */) {
      negative = true;
    } else if (c === 0x2c /* , */) {
      if (frac !== null) throw new TextFormatError(`malformed money text (group separator after the decimal point): ${clip(text)}`);
    }
    // currency symbols, spaces and ')' are skipped
  }
  if (digits.length === 0) throw new TextFormatError(`malformed money text: ${clip(text)}`);
  return { negative, int: digits, frac: frac ?? '' };
}
