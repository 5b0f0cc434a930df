import { civilFromDays, MICROS_PER_DAY } from '../types/text/calendar.js';

/**
 * Debezium's encoded values back to PostgreSQL input text. Pure functions; PostgreSQL parses the
 * text into the copy's column type, so no precision is lost on the way (decimals and µs stay exact).
 */

/** Connect Decimal / VariableScaleDecimal: big-endian two's-complement unscaled bytes and a scale. */
export function decimalText(unscaled: Buffer, scale: number): string {
  if (unscaled.length === 0) return '0';
  let v = 0n;
  for (const b of unscaled) v = (v << 8n) | BigInt(b);
  if (unscaled[0]! & 0x80) v -= 1n << BigInt(unscaled.length * 8);
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) {
    digits += '0'.repeat(-scale);
  }
  return negative ? `-${digits}` : digits;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Debezium's sentinels for ±infinity (see src/types/rows/temporal.ts) map back to 'infinity'. */
const INFINITE_DAYS = new Map([[-2147472692, 'infinity'], [-2147472691, '-infinity']]);
const INFINITE_MICROS = new Map([[9223372036825200000n, 'infinity'], [-9223372036832400000n, '-infinity']]);
const INFINITE_MILLIS = new Map([[9223372036825200n, 'infinity'], [-9223372036832400n, '-infinity']]);

/** Days since 1970-01-01 as ISO date text; years before 1 AD get PostgreSQL's " BC" suffix. */
export function dateText(days: number): string {
  const inf = INFINITE_DAYS.get(days);
  if (inf) return inf;
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0;
  return `${pad(bc ? 1 - year : year, 4)}-${pad(month)}-${pad(day)}${bc ? ' BC' : ''}`;
}

/** Microseconds since midnight as time text; 24:00:00 is a valid PostgreSQL time and stays one. */
export function timeText(micros: number): string {
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}.${pad(frac, 6)}`;
}

/** Microseconds (or milliseconds) since the epoch as timestamp text, exact beyond 2^53 via bigint. */
export function timestampText(value: number | bigint, unit: 'ms' | 'us'): string {
  const big = BigInt(value);
  const inf = (unit === 'us' ? INFINITE_MICROS : INFINITE_MILLIS).get(big);
  if (inf) return inf;
  const micros = unit === 'us' ? big : big * 1000n;
  const perDay = BigInt(MICROS_PER_DAY);
  let days = micros / perDay;
  let rest = micros % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  const date = dateText(Number(days));
  const bc = date.endsWith(' BC');
  return `${bc ? date.slice(0, -3) : date} ${timeText(Number(rest))}${bc ? ' BC' : ''}`;
}

/** MicroDuration: PostgreSQL reads "N microseconds" exactly (Debezium folded months as 30 days). */
export function durationText(micros: number | bigint): string {
  return `${BigInt(micros)} microseconds`;
}
