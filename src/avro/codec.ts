import avro from 'avsc';
import { exactLongType } from './long-type.js';

export type AvroSchemaJson = Record<string, unknown> | string | unknown[];

/**
 * Compiles an Avro schema with pgcdc's exact 64-bit long, also where the long carries Connect
 * properties (`{"type":"long","connect.name":"io.debezium.time.MicroTimestamp"}`); unions are
 * unwrapped (plain values).
 */
export function compileSchema(schema: AvroSchemaJson): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { typeHook: exactLongHook, wrapUnions: false });
}

export function exactLongHook(schema: avro.Schema): avro.Type | undefined {
  if (schema === 'long' || (typeof schema === 'object' && (schema as { type?: unknown }).type === 'long')) return exactLongType as unknown as avro.Type;
  return undefined;
}

/**
 * Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the Avro binary.
 * Consumers using any Confluent-compatible deserializer read it with the id from the registry.
 */
export function encodeWire(schemaId: number, type: avro.Type, value: unknown): Buffer {
  const body = type.toBuffer(value);
  const out = Buffer.allocUnsafe(body.length + 5);
  out[0] = 0;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

export function decodeWire(type: avro.Type, buf: Buffer): unknown {
  if (buf[0] !== 0) throw new Error(`not Confluent wire format: magic byte is ${buf[0]}`);
  return type.fromBuffer(buf.subarray(5));
}

export function wireSchemaId(buf: Buffer): number {
  return buf.readInt32BE(1);
}
