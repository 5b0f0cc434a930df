import type pg from 'pg';
import { openKafka } from '../../src/kafka/client.js';
import type { PgOracle } from './pg-oracle.js';
import { readTopicRecords } from './topic-reader.js';
import { decodeRecord, RegistryDecoder, type DecodedRecord } from './topics.js';

/**
 * The checks of exactly-once delivery (issue 17) on what a read_committed consumer reads back:
 * every change event once, every delete followed by exactly one tombstone, and (with the reference
 * loader) a copy equal to the source built from exactly those records.
 */

/** The topics a connector writes to: `<prefix>` itself and every `<prefix>.*`. */
export async function connectorTopics(brokers: string[], prefix: string): Promise<string[]> {
  const all = await openKafka({ clientId: 'pgcdc-test-topics', brokers }).listTopics();
  return all.filter((t) => t === prefix || t.startsWith(`${prefix}.`)).sort();
}

/**
 * Every record of `topics` from the start up to their current ends, decoded, as the test reader
 * returns them (read_committed: records of aborted transactions and commit markers are skipped, so a
 * partition's last record is usually before its end offset, which counts the markers).
 */
export async function readCommitted(brokers: string[], registryUrl: string, topics: string[], timeoutMs = 180_000): Promise<DecodedRecord[]> {
  const decoder = new RegistryDecoder(registryUrl);
  const records: DecodedRecord[] = [];
  await readTopicRecords(brokers, topics, async (r) => void records.push(await decodeRecord(decoder, r)), { timeoutMs, toCurrentEnd: true });
  return records;
}

export interface Duplicate {
  topic: string;
  partition: number;
  key: string;
  op: string;
  lsn: string;
  txId: string;
  /** Kafka offsets of every copy */
  offsets: string[];
}

export interface ExactlyOnceFindings {
  /** change events read (tombstones not counted) */
  events: number;
  tombstones: number;
  /** identities seen more than once, with where each copy is */
  duplicates: Duplicate[];
  /** deletes without exactly one tombstone right after them in their partition, stray tombstones */
  tombstoneProblems: string[];
}

/** JSON that also takes bigints and Buffers (decoded keys may hold either). */
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x && x.type === 'Buffer' && Array.isArray(x.data) ? Buffer.from(x.data).toString('hex') : x));

/**
 * One source change: topic, key, op and source.lsn. Snapshot reads share one LSN, so for op=r this
 * is (topic, key, lsn): a row read twice by the same snapshot is a duplicate whatever it held.
 */
export const changeIdentity = (r: DecodedRecord) => `${r.topic}|${json(r.key)}|${r.value!.op}|${r.value!.source?.lsn}`;

const isChange = (r: DecodedRecord) => r.value !== null && typeof r.value.op === 'string';

export function exactlyOnceFindings(records: DecodedRecord[]): ExactlyOnceFindings {
  const byIdentity = new Map<string, DecodedRecord[]>();
  for (const r of records.filter(isChange)) {
    const id = changeIdentity(r);
    const same = byIdentity.get(id);
    if (same) same.push(r);
    else byIdentity.set(id, [r]);
  }
  const duplicates = [...byIdentity.values()].filter((same) => same.length > 1).map((same) => {
    const r = same[0]!;
    return { topic: r.topic, partition: r.partition, key: json(r.key), op: r.value!.op, lsn: String(r.value!.source?.lsn), txId: String(r.value!.source?.txId), offsets: same.map((x) => `${x.partition}:${x.offset}`) };
  });
  return { events: records.filter(isChange).length, tombstones: records.filter((r) => r.value === null).length, duplicates, tombstoneProblems: tombstoneProblems(records) };
}

/** In each partition (offset order) a delete is followed right away by one tombstone of its key, and a tombstone only follows a delete. */
function tombstoneProblems(records: DecodedRecord[]): string[] {
  const partitions = new Map<string, DecodedRecord[]>();
  for (const r of records) {
    const id = `${r.topic}:${r.partition}`;
    const list = partitions.get(id);
    if (list) list.push(r);
    else partitions.set(id, [r]);
  }
  const problems: string[] = [];
  for (const [id, list] of partitions) {
    list.sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
    for (const [i, r] of list.entries()) {
      if (r.value === null) {
        const prev = list[i - 1];
        if (!prev || prev.value?.op !== 'd' || json(prev.key) !== json(r.key)) problems.push(`${id} offset ${r.offset}: tombstone of ${json(r.key)} not right after its delete (before it: ${prev ? `${prev.value?.op ?? 'tombstone'} of ${json(prev.key)} at ${prev.offset}` : 'nothing'})`);
      } else if (r.value.op === 'd') {
        const next = list[i + 1];
        if (!next || next.value !== null || json(next.key) !== json(r.key)) problems.push(`${id} offset ${r.offset}: delete of ${json(r.key)} (lsn ${r.value.source?.lsn}) not followed by its tombstone (after it: ${next ? `${next.value?.op ?? 'tombstone'} of ${json(next.key)} at ${next.offset}` : 'nothing'})`);
      }
    }
  }
  return problems;
}

/**
 * The copy equals the source (retried until the timeout: the connector may still be delivering).
 * Unlike PgOracle.converge this does not wait for the loader's committed offsets to reach the
 * topics' end offsets, which under transactions count commit markers no record sits at.
 */
export async function copyEqualsSource(oracle: PgOracle, db: pg.ClientConfig, tables: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await oracle.assertTablesEqual(db, tables);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`copy never equalled the source within ${timeoutMs} ms: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The loader applied every record read (its committed offsets reached each table partition's last
 * record + 1) and the copy still equals the source: the copy was built from exactly what a
 * read_committed consumer sees.
 */
export async function copyBuiltFrom(oracle: PgOracle, brokers: string[], db: pg.ClientConfig, tables: string[], records: DecodedRecord[], timeoutMs = 120_000): Promise<void> {
  const topics = await oracle.loader.tableTopics();
  const want = new Map<string, bigint>();
  for (const r of records) {
    if (!topics.includes(r.topic)) continue;
    const id = `${r.topic}:${r.partition}`;
    const next = BigInt(r.offset) + 1n;
    if ((want.get(id) ?? 0n) < next) want.set(id, next);
  }
  const kafka = openKafka({ clientId: 'pgcdc-test-loader-progress', brokers });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const committed = new Map<string, bigint>();
    for (const [topic, partitions] of await kafka.committedOffsets(oracle.loader.groupId, topics)) partitions.forEach((o, p) => committed.set(`${topic}:${p}`, o));
    const behind = [...want].filter(([id, next]) => (committed.get(id) ?? -1n) < next).map(([id, next]) => `${id} at ${committed.get(id) ?? -1n} of ${next}`);
    if (behind.length === 0) break;
    if (Date.now() > deadline) throw new Error(`the loader never applied every record read: ${behind.join(', ')}${oracle.loader.lastError ? `; last error: ${oracle.loader.lastError.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await oracle.assertTablesEqual(db, tables);
}
