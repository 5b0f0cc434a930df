import type avro from 'avsc';
import { compileSchema, decodeWire, wireSchemaId } from '../../src/avro/codec.js';
import { headerStrings, readTopicRecords, type FetchedRecord } from './topic-reader.js';

export interface DecodedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Record<string, unknown> | null;
  value: Record<string, any> | null;
  headers: Record<string, string>;
  keySchemaId: number | null;
  valueSchemaId: number | null;
}

/** Decodes Confluent wire-format records by fetching their schemas from the registry by id. */
export class RegistryDecoder {
  private readonly types = new Map<number, Promise<avro.Type>>();
  constructor(private readonly registryUrl: string) {}

  schemaJson(id: number): Promise<unknown> {
    return fetch(`${this.registryUrl}/schemas/ids/${id}`)
      .then((r) => r.json() as Promise<{ schema: string }>)
      .then((b) => JSON.parse(b.schema));
  }

  async decode(buf: Buffer | null): Promise<{ value: any; id: number | null }> {
    if (!buf) return { value: null, id: null };
    const id = wireSchemaId(buf);
    let type = this.types.get(id);
    if (!type) this.types.set(id, (type = this.schemaJson(id).then((s) => compileSchema(s as Record<string, unknown>))));
    return { value: plain(decodeWire(await type, buf)), id };
  }
}

/** A fetched record with key and value decoded through the registry. */
export async function decodeRecord(decoder: RegistryDecoder, r: FetchedRecord): Promise<DecodedRecord> {
  const key = await decoder.decode(r.key);
  const value = await decoder.decode(r.value);
  return { topic: r.topic, partition: r.partition, offset: r.offset.toString(), key: key.value, value: value.value, headers: headerStrings(r), keySchemaId: key.id, valueSchemaId: value.id };
}

/**
 * Reads topics from the beginning until `until(records)` holds or the time runs out, decoding keys
 * and values through the registry (no consumer group: test/harness/topic-reader.ts).
 */
export async function readTopics(
  brokers: string[],
  registryUrl: string,
  topics: string[],
  until: (records: DecodedRecord[]) => boolean,
  timeoutMs = 60_000,
): Promise<DecodedRecord[]> {
  const decoder = new RegistryDecoder(registryUrl);
  const records: DecodedRecord[] = [];
  await readTopicRecords(brokers, topics, async (r) => {
    records.push(await decodeRecord(decoder, r));
    return until(records);
  }, { timeoutMs });
  return records;
}

/** avsc returns records as class instances; tests compare plain objects. Buffers and bigints stay. */
export function plain(v: unknown): any {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out;
}
