/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01), as the protocol counts time. */
export const PG_EPOCH_OFFSET_US = 946_684_800_000_000n;

/** Converts a protocol timestamp (µs since 2000-01-01) to µs since the Unix epoch. */
export function pgTimestampToUnixMicros(pgMicros: bigint): bigint {
  return pgMicros + PG_EPOCH_OFFSET_US;
}

export function nowAsPgTimestamp(): bigint {
  return BigInt(Date.now()) * 1000n - PG_EPOCH_OFFSET_US;
}
