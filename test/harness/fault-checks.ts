import assert from 'node:assert/strict';
import { formatLsn } from '../../src/postgres/lsn.js';
import type { SlotSample } from './fault-load.js';
import { readTopicRecords, type FetchedRecord } from './topic-reader.js';
import { decodeRecord, RegistryDecoder, type DecodedRecord } from './topics.js';

/**
 * The guarantees every fault scenario checks, from what is in Kafka after the fact:
 *  - the offset topic's history with the time each offset was written;
 *  - confirmed_flush_lsn never passed an offset that was stored at that time;
 *  - a change is delivered twice only if no stored offset covered it when it was re-sent.
 */

export interface TimedRecord extends DecodedRecord {
  timestamp: number;
}

export interface StoredOffsetAt {
  timestamp: number;
  txId: number | null;
  complete: boolean;
  flushLsn: bigint;
}

/** Reads topics from the beginning to their end offsets as of now. */
function readToEnd(brokers: string[], topics: string[], each: (r: FetchedRecord) => Promise<void>): Promise<void> {
  return readTopicRecords(brokers, topics, async (r) => void (await each(r)), { toCurrentEnd: true, timeoutMs: 120_000 });
}

export async function readChangeTopics(brokers: string[], registryUrl: string, topics: string[]): Promise<TimedRecord[]> {
  const decoder = new RegistryDecoder(registryUrl);
  const out: TimedRecord[] = [];
  await readToEnd(brokers, topics, async (r) => {
    out.push({ ...(await decodeRecord(decoder, r)), timestamp: Number(r.timestamp) });
  });
  return out;
}

/** Every offset written for `key`, oldest first, with the time it was produced. */
export async function readOffsetHistory(brokers: string[], offsetTopic: string, key: string): Promise<StoredOffsetAt[]> {
  const out: StoredOffsetAt[] = [];
  await readToEnd(brokers, [offsetTopic], async (m) => {
    if (m.key?.toString() !== key || !m.value) return;
    const o = JSON.parse(m.value.toString()) as Record<string, unknown>;
    if (o.pgcdc_flush_lsn === undefined) return; // snapshot progress, not a streaming position
    out.push({ timestamp: Number(m.timestamp), txId: o.txId === null || o.txId === undefined ? null : Number(o.txId), complete: o.pgcdc_tx_complete === true, flushLsn: BigInt(String(o.pgcdc_flush_lsn)) });
  });
  return out;
}

/** The highest flush LSN stored no later than `at` (null: nothing stored yet). */
function storedFlushAt(history: StoredOffsetAt[], at: number): bigint | null {
  let best: bigint | null = null;
  for (const h of history) if (h.timestamp <= at && (best === null || h.flushLsn > best)) best = h.flushLsn;
  return best;
}

/**
 * confirmed_flush_lsn never passes the stored offset: every sample is at most the highest flush
 * LSN stored before it was taken, or the slot's own starting point (`initial`, before any offset).
 */
export function assertConfirmedNeverAhead(samples: SlotSample[], history: StoredOffsetAt[], initial: bigint): void {
  for (const s of samples) {
    if (s.confirmed === null || s.confirmed <= initial) continue;
    const stored = storedFlushAt(history, s.at);
    assert.ok(stored !== null && s.confirmed <= stored, `confirmed_flush_lsn ${formatLsn(s.confirmed)} at ${new Date(s.at).toISOString()} passed the stored offset ${stored === null ? '(none)' : formatLsn(stored)}`);
  }
}

/**
 * A change event delivered more than once was, when re-sent, not covered by any stored offset.
 * Events are named by transaction, LSN, op and key; transaction ids grow in commit order because
 * the load is serial (see WriteLoad), so "covered" is: a stored offset of a later transaction,
 * or of the same one marked complete. Returns how many duplicates there were.
 */
export function assertDuplicatesOnlyAfterStoredOffsets(records: TimedRecord[], history: StoredOffsetAt[]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const r of records) {
    const v = r.value;
    if (!v || !v.source) continue; // tombstones follow their delete
    const txId = v.source.txId === null ? null : Number(v.source.txId);
    const id = `${r.topic}|${txId}|${v.source.lsn}|${v.op}|${JSON.stringify(r.key)}`;
    if (!seen.has(id)) {
      seen.add(id);
      continue;
    }
    duplicates++;
    if (txId === null) continue;
    const covering = history.find((h) => h.timestamp < r.timestamp && h.txId !== null && (h.txId > txId || (h.txId === txId && h.complete)));
    assert.equal(covering, undefined, `event of tx ${txId} at LSN ${v.source.lsn} was re-sent at ${new Date(r.timestamp).toISOString()} although an offset stored at ${covering ? new Date(covering.timestamp).toISOString() : ''} covered it`);
  }
  return duplicates;
}

/** Waits until the offset of the transaction `xid` (or a later one) is stored complete. */
export async function waitForStoredTx(brokers: string[], offsetTopic: string, key: string, xid: number, timeoutMs: number, context: () => string): Promise<StoredOffsetAt[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const history = await readOffsetHistory(brokers, offsetTopic, key).catch(() => []);
    const last = history.filter((h) => h.txId !== null).at(-1);
    if (last && (last.txId! > xid || (last.txId === xid && last.complete))) return history;
    if (Date.now() > deadline) throw new Error(`the offset of transaction ${xid} was not stored within ${timeoutMs / 1000} s (last stored: tx ${last?.txId ?? 'none'})\n${context()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * The in-memory oracle: the table rebuilt from its topic (upserts, deletes, tombstones) equals the
 * source rows. A column added while streaming is missing from events of rows last written before
 * it existed; it counts as null there, as in the source.
 */
export function assertRebuiltEqualsSource(rebuilt: Map<string, Record<string, unknown>>, source: Record<string, unknown>[], key: string): void {
  const problems: string[] = [];
  for (const row of source) {
    const got = rebuilt.get(String(row[key]));
    if (!got) problems.push(`row ${key}=${row[key]} missing from the topic`);
    else {
      const normalized = Object.fromEntries(Object.keys(row).map((c) => [c, got[c] ?? null]));
      if (JSON.stringify(normalized) !== JSON.stringify(row)) problems.push(`row ${key}=${row[key]}: topic ${JSON.stringify(normalized)} != source ${JSON.stringify(row)}`);
    }
  }
  const ids = new Set(source.map((r) => String(r[key])));
  for (const id of rebuilt.keys()) if (!ids.has(id)) problems.push(`row ${key}=${id} in the topic but deleted in the source`);
  assert.deepEqual(problems.slice(0, 10), [], `${problems.length} rows differ`);
  assert.equal(rebuilt.size, source.length);
}
