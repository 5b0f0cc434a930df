/**
 * Proleptic Gregorian calendar arithmetic on plain integers (no Date objects: Date.UTC maps years
 * 0-99 to 1900-1999 and cannot hold microseconds). Years are astronomical: 1 BC is year 0,
 * 2 BC is year -1. This is also what java.time (and so Debezium) uses.
 */

/** Days since 1970-01-01 of the given civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export const MICROS_PER_DAY = 86_400_000_000;
export const MILLIS_PER_DAY = 86_400_000;

/**
 * An Avro long as the encoder wants it: a number when exact, else a bigint. Out-of-range values
 * are clamped to the int64 range (like Java's (long) cast of a too-large double).
 */
export function longValue(v: bigint): number | bigint {
  if (v >= -MAX_SAFE && v <= MAX_SAFE) return Number(v);
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return v;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

/** days * unit + rest as an Avro long, exact (bigint arithmetic only when a number could round). */
export function scaledLong(days: number, unit: number, rest: number): number | bigint {
  const v = days * unit + rest;
  if (Number.isSafeInteger(v) && Math.abs(days) * unit + Math.abs(rest) <= Number.MAX_SAFE_INTEGER) return v;
  return longValue(BigInt(days) * BigInt(unit) + BigInt(rest));
}

/** Year as java.time's ISO formatter writes it: 4 digits zero-padded, "+" beyond 9999, "-" before year 0. */
export function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return year < 1000 ? String(year).padStart(4, '0') : String(year);
  if (year > 9999) return `+${year}`;
  return `-${String(-year).padStart(4, '0')}`;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
