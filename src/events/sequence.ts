import type { Lsn } from '../postgres/lsn.js';

/** Debezium writes LSNs in source.sequence as decimal strings of the 64-bit position. */
export function formatLsnDecimal(lsn: Lsn): string {
  return lsn.toString(10);
}
