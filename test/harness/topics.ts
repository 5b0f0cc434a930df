import { Kafka, logLevel } from 'kafkajs';
import type avro from 'avsc';
import { compileSchema, decodeWire, wireSchemaId } from '../../src/avro/codec.js';

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

/**
 * Reads topics from the beginning until `until(records)` holds or the time runs out, decoding keys
 * and values through the registry. Uses a fresh consumer group each call.
 */
export async function readTopics(
  brokers: string[],
  registryUrl: string,
  topics: string[],
  until: (records: DecodedRecord[]) => boolean,
  timeoutMs = 60_000,
): Promise<DecodedRecord[]> {
  const kafka = new Kafka({ clientId: 'pgcdc-test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `pgcdc-test-${process.pid}-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 200 });
  const decoder = new RegistryDecoder(registryUrl);
  const records: DecodedRecord[] = [];
  await waitForTopics(kafka, topics, timeoutMs);
  await consumer.connect();
  try {
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms with ${records.length} records from ${topics.join(', ')}`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const key = await decoder.decode(message.key);
            const value = await decoder.decode(message.value);
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            records.push({ topic, partition, offset: message.offset, key: key.value, value: value.value, headers, keySchemaId: key.id, valueSchemaId: value.id });
            if (until(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** The connector creates a table's topic with its first event; a reader may be earlier. */
async function waitForTopics(kafka: Kafka, topics: string[], timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`topics never appeared: ${missing.join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** avsc returns records as class instances; tests compare plain objects. Buffers and bigints stay. */
export function plain(v: unknown): any {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out;
}
