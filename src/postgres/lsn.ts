/**
 * Log sequence numbers. PostgreSQL prints them as "HI/LO" (two 32-bit hex halves); pgcdc keeps them
 * as bigint internally so that comparisons and differences (bytes of lag) are exact.
 */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export class InvalidLsnError extends Error {
  readonly retriable = false;
  constructor(readonly text: string) {
    super(`invalid LSN "${text}": expected two hexadecimal halves like "0/16B3748"`);
    this.name = 'InvalidLsnError';
  }
}

export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text);
  if (!m) throw new InvalidLsnError(text);
  return (BigInt(parseInt(m[1], 16)) << 32n) | BigInt(parseInt(m[2], 16));
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Reads an LSN from 8 big-endian bytes, as the replication protocol sends it. */
export function readLsn(buf: Buffer, offset: number): Lsn {
  return buf.readBigUInt64BE(offset);
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}
