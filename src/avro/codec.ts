import avro from 'avsc';
import { exactLongType } from './long-type.js';
import { withNullableWrite } from './nullable-union.js';
import { stringType } from './string-type.js';

export type AvroSchemaJson = Record<string, unknown> | string | unknown[];

/**
 * Compiles an Avro schema with pgcdc's exact 64-bit long, also where the long carries Connect
 * properties (`{"type":"long","connect.name":"io.debezium.time.MicroTimestamp"}`); unions are
 * unwrapped (plain values). Strings and `["null", T]` unions get faster write paths (string-type.ts,
 * nullable-union.ts) that write the same bytes.
 */
export function compileSchema(schema: AvroSchemaJson): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { typeHook: pgcdcTypeHook, wrapUnions: false });
}

export function exactLongHook(schema: avro.Schema): avro.Type | undefined {
  if (schema === 'long' || (typeof schema === 'object' && (schema as { type?: unknown }).type === 'long')) return exactLongType as unknown as avro.Type;
  return undefined;
}

/** Unions being compiled by avsc on behalf of the hook (avsc calls the hook again for them). */
const compilingUnions = new WeakSet<object>();

function pgcdcTypeHook(schema: avro.Schema, opts: avro.ForSchemaOptions): avro.Type | undefined {
  const long = exactLongHook(schema);
  if (long) return long;
  if (schema === 'string' || (isPlainObject(schema) && schema.type === 'string' && !('logicalType' in schema))) return stringType;
  if (Array.isArray(schema) && !compilingUnions.has(schema)) {
    compilingUnions.add(schema);
    try {
      return withNullableWrite(avro.Type.forSchema(schema, opts));
    } finally {
      compilingUnions.delete(schema);
    }
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Scratch for encodeWire, reused across calls (encoding is synchronous). */
const SCRATCH_BYTES = 64 * 1024;
/** A scratch grown past this for an unusually large record is dropped afterwards, not kept for good. */
const SCRATCH_KEEP_BYTES = 1024 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the Avro binary.
 * Consumers using any Confluent-compatible deserializer read it with the id from the registry.
 * Encodes into the scratch, then copies into one buffer of the exact size (one allocation per record).
 */
export function encodeWire(schemaId: number, type: avro.Type, value: unknown): Buffer {
  let buf = scratch;
  let end = type.encode(value, buf, 5);
  while (end < 0) {
    // avsc returns minus the number of bytes missing; the value needs buf.length - end bytes.
    buf = Buffer.allocUnsafe(Math.max(buf.length * 2, buf.length - end));
    end = type.encode(value, buf, 5);
  }
  if (buf.length <= SCRATCH_KEEP_BYTES) scratch = buf;
  buf[0] = 0;
  buf.writeInt32BE(schemaId, 1);
  const out = Buffer.allocUnsafe(end);
  buf.copy(out, 0, 0, end);
  return out;
}

export function decodeWire(type: avro.Type, buf: Buffer): unknown {
  if (buf[0] !== 0) throw new Error(`not Confluent wire format: magic byte is ${buf[0]}`);
  return type.fromBuffer(buf.subarray(5));
}

export function wireSchemaId(buf: Buffer): number {
  return buf.readInt32BE(1);
}
