import { connectLogical, named } from '../schemas.js';
import { row, timePrecision, type Converter, type TypeContext, type TypeRow } from '../row.js';
import { civilFromDays, isoYear, MICROS_PER_DAY, MILLIS_PER_DAY, pad2, scaledLong } from '../text/calendar.js';
import { infinityOf, parseDate, parseTime, parseTimestamp, parseTimeTz } from '../text/datetime.js';
import { intervalIsoString, intervalMicros, parseInterval } from '../text/interval.js';

/**
 * Sentinels for ±infinity, as Debezium's PostgresValueConverter produces them while streaming:
 * - timestamp: 'infinity' becomes POSITIVE_INFINITY_INSTANT = pgjdbc's PGStatement.DATE_POSITIVE_INFINITY
 *   (9223372036825200000) read as MICROseconds, so MicroTimestamp carries 9223372036825200000 and
 *   (ms) Timestamp 9223372036825200; '-infinity' gives -9223372036832400000 / -9223372036832400.
 * - date: POSITIVE_INFINITY_LOCAL_DATE = LocalDate -5877611-06-21 and NEGATIVE_INFINITY_LOCAL_DATE =
 *   -5877611-06-22, i.e. epoch days -2147472692 for 'infinity' and -2147472691 for '-infinity'
 *   (yes, +infinity sorts below -infinity: that is what Debezium emits).
 * - timestamptz: the strings "infinity" and "-infinity" in the ZonedTimestamp field.
 */
export const INFINITY = {
  dateDays: { positive: -2147472692, negative: -2147472691 },
  timestampMicros: { positive: 9223372036825200000n, negative: -9223372036832400000n },
  timestampMillis: { positive: 9223372036825200n, negative: -9223372036832400n },
  zoned: { positive: 'infinity', negative: '-infinity' },
} as const;

export const dateRow: TypeRow = row(
  (ctx) => (ctx.options.timePrecisionMode === 'connect' ? connectLogical('int', 'Date') : named('int', 'io.debezium.time.Date')),
  () => (text) => {
    const inf = infinityOf(text);
    if (inf !== 0) return inf > 0 ? INFINITY.dateDays.positive : INFINITY.dateDays.negative;
    return parseDate(text);
  },
);

/** time: io.debezium.time.Time (int ms) for precision 0-3, MicroTime (long µs) for 4-6, per time.precision.mode. */
function timeInMillis(ctx: TypeContext): boolean {
  const mode = ctx.options.timePrecisionMode;
  return mode === 'connect' || (mode === 'adaptive' && timePrecision(ctx.typmod) <= 3);
}

export const timeRow: TypeRow = row(
  (ctx) =>
    ctx.options.timePrecisionMode === 'connect'
      ? connectLogical('int', 'Time')
      : timeInMillis(ctx)
        ? named('int', 'io.debezium.time.Time')
        : named('long', 'io.debezium.time.MicroTime'),
  (ctx) => (timeInMillis(ctx) ? (text) => Math.floor(parseTime(text) / 1000) : parseTime),
);

/** timestamp: io.debezium.time.Timestamp (long ms) for precision 0-3, MicroTimestamp (long µs) for 4-6. */
function timestampInMillis(ctx: TypeContext): boolean {
  return ctx.options.timePrecisionMode === 'connect' || timePrecision(ctx.typmod) <= 3;
}

export const timestampRow: TypeRow = row(
  (ctx) =>
    ctx.options.timePrecisionMode === 'connect'
      ? connectLogical('long', 'Timestamp')
      : timestampInMillis(ctx)
        ? named('long', 'io.debezium.time.Timestamp')
        : named('long', 'io.debezium.time.MicroTimestamp'),
  (ctx): Converter => {
    if (timestampInMillis(ctx)) {
      return (text) => {
        const inf = infinityOf(text);
        if (inf !== 0) return inf > 0 ? INFINITY.timestampMillis.positive : INFINITY.timestampMillis.negative;
        const t = parseTimestamp(text, false);
        return scaledLong(t.days, MILLIS_PER_DAY, Math.floor(t.micros / 1000));
      };
    }
    return (text) => {
      const inf = infinityOf(text);
      if (inf !== 0) return inf > 0 ? INFINITY.timestampMicros.positive : INFINITY.timestampMicros.negative;
      const t = parseTimestamp(text, false);
      return scaledLong(t.days, MICROS_PER_DAY, t.micros);
    };
  },
);

/**
 * timestamptz: io.debezium.time.ZonedTimestamp, the instant in UTC as Debezium's ZonedTimestamp
 * formats it: ISO-8601 with java.time's year style (0001, +21016, -4713 for 4714 BC), and the
 * fraction written with EXACTLY as many digits as the column's precision (6 when unconstrained:
 * 2024-01-02T03:04:05.000000Z, timestamptz(3): ...05.100Z); precision 0 uses ISO_OFFSET_DATE_TIME,
 * which writes no fraction. (Debezium: fractional width = column scale; pgjdbc reports 6 for
 * an unconstrained timestamptz.)
 */
export function zonedTimestampConverter(precision: number): Converter {
  return (text) => {
    const inf = infinityOf(text);
    if (inf !== 0) return inf > 0 ? INFINITY.zoned.positive : INFINITY.zoned.negative;
    const t = parseTimestamp(text, true);
    let { year, month, day, hour, minute, second } = t;
    if (t.offsetSeconds !== 0) {
      let tod = t.micros - t.offsetSeconds * 1_000_000;
      let days = t.days;
      if (tod < 0) {
        tod += MICROS_PER_DAY;
        days--;
      } else if (tod >= MICROS_PER_DAY) {
        tod -= MICROS_PER_DAY;
        days++;
      }
      ({ year, month, day } = civilFromDays(days));
      const secs = Math.floor(tod / 1_000_000);
      hour = Math.floor(secs / 3600);
      minute = Math.floor(secs / 60) % 60;
      second = secs % 60;
    }
    let frac: string;
    if (precision > 0) frac = '.' + (t.fraction.length >= precision ? t.fraction.slice(0, precision) : t.fraction.padEnd(precision, '0'));
    else frac = t.fraction.length > 0 ? '.' + trimZeros(t.fraction) : '';
    return `${isoYear(year)}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}${frac}Z`;
  };
}

function trimZeros(fraction: string): string {
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 0x30) end--;
  return fraction.slice(0, end);
}

export const timestamptzRow: TypeRow = row(
  () => named('string', 'io.debezium.time.ZonedTimestamp'),
  (ctx) => zonedTimestampConverter(timePrecision(ctx.typmod)),
);

/**
 * timetz: io.debezium.time.ZonedTime, the time shifted to UTC (wrapping around midnight) in
 * java.time's ISO_OFFSET_TIME: HH:mm:ss, the fraction without trailing zeros (none when zero),
 * then "Z". "24:00:00+00" stays "24:00:00Z" (Debezium's PostgresTimeBoundary). Debezium fails on
 * 24:00:00 with a non-zero offset; pgcdc shifts it like any other time (24:00:00+02 -> 22:00:00Z).
 */
export function zonedTime(text: string): string {
  const t = parseTimeTz(text);
  if (t.micros === MICROS_PER_DAY && t.offsetSeconds === 0) return '24:00:00Z';
  let m = (t.micros - t.offsetSeconds * 1_000_000) % MICROS_PER_DAY;
  if (m < 0) m += MICROS_PER_DAY;
  const secs = Math.floor(m / 1_000_000);
  const us = m - secs * 1_000_000;
  const frac = us === 0 ? '' : '.' + trimZeros(String(us).padStart(6, '0'));
  return `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}${frac}Z`;
}

export const timetzRow: TypeRow = row(
  () => named('string', 'io.debezium.time.ZonedTime'),
  () => zonedTime,
);

/** interval: MicroDuration (long µs) or, with interval.handling.mode=string, io.debezium.time.Interval. */
export const intervalRow: TypeRow = row(
  (ctx) =>
    ctx.options.intervalHandlingMode === 'string' ? named('string', 'io.debezium.time.Interval') : named('long', 'io.debezium.time.MicroDuration'),
  (ctx) =>
    ctx.options.intervalHandlingMode === 'string' ? (text) => intervalIsoString(parseInterval(text)) : (text) => intervalMicros(parseInterval(text)),
);
