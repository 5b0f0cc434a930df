import { TextFormatError } from '../errors.js';
import { daysFromCivil } from './calendar.js';

/**
 * Parsers of PostgreSQL's date/time output with DateStyle=ISO and TimeZone=UTC:
 *   date         2024-01-02 | 0001-01-01 BC | 5874897-12-31 | infinity | -infinity
 *   timestamp    2024-01-02 03:04:05.123456 (fraction only when non-zero, trailing zeros cut)
 *   timestamptz  2024-01-02 03:04:05.123456+00 (offset +HH, +HH:MM or +HH:MM:SS), " BC" last
 *   time         03:04:05.123456 | 24:00:00
 *   timetz       03:04:05.123456+02 | 24:00:00+00 | 00:00:00-05:30
 * Years have 4 or more digits; BC years become astronomical (1 BC = year 0). Parsing works on
 * fixed positions with charCodeAt, no regular expressions: this runs for every temporal column
 * of every row.
 */

/** A parsed timestamp: whole days since 1970-01-01 and microseconds into that day (0 <= tod < 86400e6). */
export interface ParsedTimestamp {
  days: number;
  /** microseconds since midnight (local to the printed offset for timestamptz; see offsetSeconds) */
  micros: number;
  /** fraction digits as printed (0-6 characters), kept for ISO formatting */
  fraction: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** the printed UTC offset in seconds (0 for timestamp without time zone) */
  offsetSeconds: number;
}

/** 'infinity' / '-infinity' test shared by date, timestamp and timestamptz: 1, -1, or 0 when finite. */
export function infinityOf(text: string): 1 | -1 | 0 {
  if (text.length === 8 && text === 'infinity') return 1;
  if (text.length === 9 && text === '-infinity') return -1;
  return 0;
}

/** Unsigned decimal integer in text[start, end), or -1 when a character is not a digit. */
function digits(text: string, start: number, end: number): number {
  if (end > text.length || start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function bad(kind: string, text: string): never {
  throw new TextFormatError(`malformed ${kind} text: ${text.length > 60 ? text.slice(0, 57) + '...' : text}`);
}

/** Position of the '-' ending the year (years have at least 4 digits). */
function yearEnd(text: string): number {
  if (text.charCodeAt(4) === 0x2d) return 4;
  const i = text.indexOf('-', 4);
  return i < 0 ? -1 : i;
}

function endsWithBC(text: string): boolean {
  const n = text.length;
  return n > 3 && text.charCodeAt(n - 1) === 0x43 && text.charCodeAt(n - 2) === 0x42 && text.charCodeAt(n - 3) === 0x20;
}

/** Days since 1970-01-01 of a finite `date` text. */
export function parseDate(text: string): number {
  const ye = yearEnd(text);
  if (ye < 0) bad('date', text);
  const bc = endsWithBC(text);
  const end = bc ? text.length - 3 : text.length;
  if (end !== ye + 6 || text.charCodeAt(ye + 3) !== 0x2d) bad('date', text);
  const y = digits(text, 0, ye);
  const m = digits(text, ye + 1, ye + 3);
  const d = digits(text, ye + 4, ye + 6);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) bad('date', text);
  return daysFromCivil(bc ? 1 - y : y, m, d);
}

/**
 * Parses HH:MM:SS[.ffffff] starting at `pos`; returns the end position and fills out.
 * Hours may be 24 (time '24:00:00').
 */
function parseClock(text: string, pos: number, kind: string, out: { h: number; mi: number; s: number; us: number; frac: string }): number {
  if (text.charCodeAt(pos + 2) !== 0x3a || text.charCodeAt(pos + 5) !== 0x3a) bad(kind, text);
  const h = digits(text, pos, pos + 2);
  const mi = digits(text, pos + 3, pos + 5);
  const s = digits(text, pos + 6, pos + 8);
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s > 59) bad(kind, text);
  let i = pos + 8;
  let us = 0;
  let frac = '';
  if (text.charCodeAt(i) === 0x2e /* . */) {
    const start = ++i;
    while (i < text.length && i - start < 6) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === start) bad(kind, text);
    frac = text.slice(start, i);
    us = digits(text, start, i) * POW10[6 - frac.length];
  }
  out.h = h;
  out.mi = mi;
  out.s = s;
  out.us = us;
  out.frac = frac;
  return i;
}
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** Parses a UTC offset (+HH, +HH:MM, +HH:MM:SS) at text[pos, end); returns seconds east of UTC. */
function parseOffset(text: string, pos: number, end: number, kind: string): number {
  const sign = text.charCodeAt(pos);
  if ((sign !== 0x2b && sign !== 0x2d) || (end - pos !== 3 && end - pos !== 6 && end - pos !== 9)) bad(kind, text);
  const h = digits(text, pos + 1, pos + 3);
  const m = end - pos >= 6 && text.charCodeAt(pos + 3) === 0x3a ? digits(text, pos + 4, pos + 6) : end - pos >= 6 ? -1 : 0;
  const s = end - pos === 9 && text.charCodeAt(pos + 6) === 0x3a ? digits(text, pos + 7, pos + 9) : end - pos === 9 ? -1 : 0;
  if (h < 0 || m < 0 || s < 0) bad(kind, text);
  const v = h * 3600 + m * 60 + s;
  return sign === 0x2d ? -v : v;
}

const clock = { h: 0, mi: 0, s: 0, us: 0, frac: '' };

/** Parses finite timestamp (withZone=false) or timestamptz (withZone=true) text. */
export function parseTimestamp(text: string, withZone: boolean): ParsedTimestamp {
  const kind = withZone ? 'timestamptz' : 'timestamp';
  const ye = yearEnd(text);
  if (ye < 0 || text.charCodeAt(ye + 3) !== 0x2d || text.charCodeAt(ye + 6) !== 0x20) bad(kind, text);
  const y = digits(text, 0, ye);
  const month = digits(text, ye + 1, ye + 3);
  const day = digits(text, ye + 4, ye + 6);
  if (y < 0 || month < 1 || month > 12 || day < 1 || day > 31) bad(kind, text);
  const bc = endsWithBC(text);
  const end = bc ? text.length - 3 : text.length;
  const i = parseClock(text, ye + 7, kind, clock);
  let offsetSeconds = 0;
  if (withZone) offsetSeconds = parseOffset(text, i, end, kind);
  else if (i !== end) bad(kind, text);
  if (clock.h === 24) bad(kind, text);
  const year = bc ? 1 - y : y;
  return {
    days: daysFromCivil(year, month, day),
    micros: ((clock.h * 60 + clock.mi) * 60 + clock.s) * 1_000_000 + clock.us,
    fraction: clock.frac,
    year,
    month,
    day,
    hour: clock.h,
    minute: clock.mi,
    second: clock.s,
    offsetSeconds,
  };
}

/** Microseconds since midnight of `time` text (24:00:00 gives 86400000000). */
export function parseTime(text: string): number {
  const i = parseClock(text, 0, 'time', clock);
  if (i !== text.length || (clock.h === 24 && (clock.mi !== 0 || clock.s !== 0 || clock.us !== 0))) bad('time', text);
  return ((clock.h * 60 + clock.mi) * 60 + clock.s) * 1_000_000 + clock.us;
}

/** `timetz` text: microseconds since midnight as printed, and the printed offset in seconds. */
export function parseTimeTz(text: string): { micros: number; offsetSeconds: number } {
  const i = parseClock(text, 0, 'timetz', clock);
  const offsetSeconds = parseOffset(text, i, text.length, 'timetz');
  if (clock.h === 24 && (clock.mi !== 0 || clock.s !== 0 || clock.us !== 0)) bad('timetz', text);
  return { micros: ((clock.h * 60 + clock.mi) * 60 + clock.s) * 1_000_000 + clock.us, offsetSeconds };
}
