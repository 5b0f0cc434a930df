import type { Lsn } from './lsn.js';

/** PostgreSQL's epoch, 2000-01-01 00:00:00 UTC, in microseconds since the Unix epoch. */
const PG_EPOCH_UNIX_MICROS = 946_684_800_000_000n;

/**
 * The standby status update ('r') a replication client sends in CopyData: written, flushed and
 * applied positions (all `lsn`), the client's clock as microseconds since 2000-01-01 UTC, and
 * whether the server should reply at once. Built here because pg-logical-replication's own
 * `acknowledge()` gets reply_time wrong (a 2000 epoch that is days off, milliseconds in the low
 * word), which puts pg_stat_replication.reply_time in the future and defeats staleness checks.
 */
export function standbyStatusUpdate(lsn: Lsn, nowUnixMicros: bigint, replyRequested: boolean): Buffer {
  const message = Buffer.alloc(34);
  message[0] = 0x72; // 'r'
  message.writeBigUInt64BE(lsn, 1); // written
  message.writeBigUInt64BE(lsn, 9); // flushed: what the slot's confirmed_flush_lsn becomes
  message.writeBigUInt64BE(lsn, 17); // applied
  message.writeBigInt64BE(nowUnixMicros - PG_EPOCH_UNIX_MICROS, 25);
  message[33] = replyRequested ? 1 : 0;
  return message;
}

export function unixMicrosNow(): bigint {
  return BigInt(Date.now()) * 1000n;
}
