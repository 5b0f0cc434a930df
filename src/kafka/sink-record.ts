import type { CountedRecord } from '../metrics/connector-metrics.js';

/**
 * A record handed to a RecordSink, and how a batch of them is cut into produce requests. Pure data
 * and arithmetic: importing it (as the event builder and the dead-letter queue do) loads no Kafka client.
 */
export interface SinkRecord extends CountedRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
  /** a fixed partition (Debezium's heartbeat records go to partition 0); absent: by key */
  partition?: number;
}

/**
 * Limits of one produce request. Kafka rejects a partition's record batch over message.max.bytes
 * (1 MiB by default) with MESSAGE_TOO_LARGE; so a batch goes out as consecutive requests of at most
 * MAX_REQUEST_RECORDS records and MAX_REQUEST_BYTES bytes, counting key + value + headers +
 * RECORD_OVERHEAD_BYTES per record (Kafka's per-record framing, varints and attributes, is about
 * 20 bytes without headers; the budget leaves a quarter of 1 MiB for what the estimate misses).
 */
export const MAX_REQUEST_RECORDS = 512;
export const MAX_REQUEST_BYTES = 768 * 1024;
export const RECORD_OVERHEAD_BYTES = 32;

/** Key, value and header bytes of a record (without framing). */
export function recordBytes(r: SinkRecord): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  if (r.headers) for (const k in r.headers) n += Buffer.byteLength(k) + Buffer.byteLength(r.headers[k]!);
  return n;
}

/**
 * Splits records into consecutive requests, keeping their order: returns each request's end index
 * (request i is records[ends[i-1] ?? 0 .. ends[i])). A record larger than maxBytes on its own
 * forms a request by itself, so the broker's answer names it.
 */
export function splitRequests(records: readonly SinkRecord[], maxRecords = MAX_REQUEST_RECORDS, maxBytes = MAX_REQUEST_BYTES): number[] {
  return planRequests(records, maxRecords, maxBytes).ends;
}

/** splitRequests plus each request's key+value+header bytes (for the in-flight gauges), in one pass. */
export function planRequests(records: readonly SinkRecord[], maxRecords = MAX_REQUEST_RECORDS, maxBytes = MAX_REQUEST_BYTES): { ends: number[]; bytes: number[] } {
  const ends: number[] = [];
  const sizes: number[] = [];
  let start = 0;
  let bytes = 0;
  let payload = 0;
  for (let i = 0; i < records.length; i++) {
    const data = recordBytes(records[i]!);
    const size = data + RECORD_OVERHEAD_BYTES;
    if (i > start && (i - start >= maxRecords || bytes + size > maxBytes)) {
      ends.push(i);
      sizes.push(payload);
      start = i;
      bytes = 0;
      payload = 0;
    }
    bytes += size;
    payload += data;
  }
  if (records.length > start) {
    ends.push(records.length);
    sizes.push(payload);
  }
  return { ends, bytes: sizes };
}
