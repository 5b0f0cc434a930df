import { TextFormatError } from '../errors.js';
import { longValue } from './calendar.js';

/**
 * PostgreSQL interval output with IntervalStyle=iso_8601 ("format with designators"):
 *   P1Y2M3DT4H5M6.000007S, P-1Y-2M3DT-4H-5M-6S, PT0S, PT-0.5S, P-1DT0.000001S, PT100H
 * Zero fields are left out, each field carries its own sign, hours are not folded into days,
 * and only seconds have a fraction (up to 6 digits).
 */
export interface ParsedInterval {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  /** whole seconds, signed */
  seconds: number;
  /** microseconds of the seconds field, same sign as the field (e.g. -500000 for -0.5S) */
  micros: number;
}

function bad(text: string): never {
  throw new TextFormatError(`malformed interval text (expected IntervalStyle=iso_8601): ${text.length > 60 ? text.slice(0, 57) + '...' : text}`);
}

export function parseInterval(text: string): ParsedInterval {
  const r: ParsedInterval = { years: 0, months: 0, days: 0, hours: 0, minutes: 0, seconds: 0, micros: 0 };
  const n = text.length;
  if (n < 3 || text.charCodeAt(0) !== 0x50 /* P */) bad(text);
  let i = 1;
  let inTime = false;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === 0x54 /* T */) {
      if (inTime) bad(text);
      inTime = true;
      i++;
      continue;
    }
    let negative = false;
    if (c === 0x2d /* - */) {
      negative = true;
      i++;
    } else if (c === 0x2b /* + */) {
      i++;
    }
    let whole = 0;
    const start = i;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) {
      whole = whole * 10 + (c - 48);
      i++;
    }
    let frac = 0;
    let hasFrac = false;
    if (i < n && text.charCodeAt(i) === 0x2e /* . */) {
      hasFrac = true;
      const fs = ++i;
      while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
      const digits = text.slice(fs, i);
      if (digits.length === 0 || digits.length > 6) bad(text);
      frac = Number(digits.padEnd(6, '0'));
    }
    if (i === start || i >= n) bad(text);
    const unit = text.charCodeAt(i++);
    const v = negative ? -whole : whole;
    if (hasFrac && !(inTime && unit === 0x53)) bad(text);
    if (!inTime) {
      if (unit === 0x59 /* Y */) r.years = v;
      else if (unit === 0x4d /* M */) r.months = v;
      else if (unit === 0x57 /* W */) r.days += v * 7;
      else if (unit === 0x44 /* D */) r.days += v;
      else bad(text);
    } else {
      if (unit === 0x48 /* H */) r.hours = v;
      else if (unit === 0x4d /* M */) r.minutes = v;
      else if (unit === 0x53 /* S */) {
        r.seconds = v;
        r.micros = negative ? -frac : frac;
      } else bad(text);
    }
  }
  return r;
}

/**
 * Debezium's MicroDuration: microseconds, with a month of 30.4375 days (365.25 / 12, Debezium's
 * MicroDuration.DAYS_PER_MONTH_AVG) and so a year of 365.25 days. Debezium computes this in
 * doubles and truncates; pgcdc computes it exactly in integers (a month is exactly 2,629,800 s),
 * which agrees except where Debezium's floating point is off by one microsecond. Values beyond
 * the int64 range (intervals over ~292,000 years) are clamped, as Java's (long) cast does.
 */
export function intervalMicros(iv: ParsedInterval): number | bigint {
  const monthTerm = (iv.years * 12 + iv.months) * MICROS_PER_MONTH;
  const dayTerm = iv.days * 86_400_000_000;
  const timeTerm = (iv.hours * 60 + iv.minutes) * 60_000_000;
  const secTerm = iv.seconds * 1_000_000 + iv.micros;
  if (Math.abs(monthTerm) + Math.abs(dayTerm) + Math.abs(timeTerm) + Math.abs(secTerm) <= Number.MAX_SAFE_INTEGER) {
    return monthTerm + dayTerm + timeTerm + secTerm;
  }
  const big =
    (BigInt(iv.years) * 12n + BigInt(iv.months)) * BigInt(MICROS_PER_MONTH) +
    BigInt(iv.days) * 86_400_000_000n +
    (BigInt(iv.hours) * 60n + BigInt(iv.minutes)) * 60_000_000n +
    BigInt(iv.seconds) * 1_000_000n +
    BigInt(iv.micros);
  return longValue(big);
}
/** 30.4375 days in microseconds */
const MICROS_PER_MONTH = 2_629_800_000_000;

/**
 * Debezium's io.debezium.time.Interval string (interval.handling.mode=string): every field
 * written, seconds without trailing zeros, e.g. P1Y2M3DT4H5M6.78S, P0Y0M0DT0H0M0S,
 * P-1Y-2M3DT-4H-5M-6S, P0Y0M0DT0H0M-0.5S.
 */
export function intervalIsoString(iv: ParsedInterval): string {
  return `P${iv.years}Y${iv.months}M${iv.days}DT${iv.hours}H${iv.minutes}M${secondsText(iv.seconds, iv.micros)}S`;
}

function secondsText(seconds: number, micros: number): string {
  if (micros === 0) return String(seconds);
  const negative = seconds < 0 || micros < 0;
  const frac = String(Math.abs(micros)).padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${Math.abs(seconds)}.${frac}`;
}
