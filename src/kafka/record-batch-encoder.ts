import { crc32c } from './crc32c.js';

/** A message as kafkajs's producer hands it to its produce request. */
export interface BatchMessage {
  key?: unknown;
  value?: unknown;
  headers?: unknown;
  timestamp?: unknown;
}

/** The slice of kafkajs's Encoder used here (class from kafkajs/src/protocol/encoder). */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  writeString(v: string | null): KafkajsEncoder;
  writeInt8(v: number): KafkajsEncoder;
  writeInt16(v: number): KafkajsEncoder;
  writeInt32(v: number): KafkajsEncoder;
  writeInt64(v: unknown): KafkajsEncoder;
  writeVarLong(v: unknown): KafkajsEncoder;
}
export type EncoderClass = new (initialSize?: number) => KafkajsEncoder;

export interface RecordBatchArgs {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  maxTimestamp?: unknown;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
}

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
const COMPRESSION_CODEC_MASK = 7;

function varIntSize(value: number): number {
  let v = (value << 1) ^ (value >> 31);
  let n = 1;
  while ((v & 0xffffff80) !== 0) (n += 1), (v >>>= 7);
  return n;
}

/** Zigzag varlong bytes of a timestamp delta; integers up to 2^52 are exact as doubles. */
const ZERO_DELTA = [0];
function varLongBytes(value: number, Encoder: EncoderClass): number[] | Buffer {
  if (value === 0) return ZERO_DELTA;
  if (!Number.isInteger(value) || Math.abs(value) > 2 ** 52) return new Encoder(16).writeVarLong(value).buffer;
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  const out: number[] = [];
  while (v >= 128) out.push((v % 128) | 0x80), (v = Math.floor(v / 128));
  out.push(v);
  return out;
}

function isBytes(v: unknown): v is Buffer | string | null | undefined {
  return v == null || typeof v === 'string' || Buffer.isBuffer(v);
}

const NO_HEADERS: [string, Buffer | string][] = [];

/** Header pairs in kafkajs's order (array values expand), or null when one is of a kind left to stock kafkajs. */
function headerPairs(headers: unknown): [string, Buffer | string][] | null {
  if (headers === undefined) return NO_HEADERS;
  if (headers === null || typeof headers !== 'object') return null;
  const pairs: [string, Buffer | string][] = [];
  for (const k of Object.keys(headers)) {
    const v = (headers as Record<string, unknown>)[k];
    for (const one of Array.isArray(v) ? v : [v]) {
      if (typeof one !== 'string' && !Buffer.isBuffer(one)) return null;
      pairs.push([k, one]);
    }
  }
  return pairs;
}

const byteLength = (v: Buffer | string): number => (typeof v === 'string' ? Buffer.byteLength(v) : v.length);

/** Varint length (1 byte for null) plus the bytes. */
function bytesSize(v: Buffer | string | null | undefined): number {
  if (v == null) return 1;
  const n = byteLength(v);
  return varIntSize(n) + n;
}

interface Sized {
  message: BatchMessage;
  headers: [string, Buffer | string][];
  timestamp: number[] | Buffer;
  body: number;
}

/**
 * The RecordBatch (magic 2) of uncompressed records, byte for byte as kafkajs 2.2.4's
 * recordBatch/v0 + record/v0 write it, in one allocation; record i has offset delta i and timestamp
 * delta timestampDeltas?.[i] (else 0). Null when some record holds a key, value or header that
 * kafkajs would treat specially (the caller then uses stock kafkajs, errors included).
 */
export function encodeRecordBatch(args: RecordBatchArgs, records: readonly BatchMessage[], timestampDeltas: readonly number[] | null, Encoder: EncoderClass): Buffer | null {
  const sized: Sized[] = new Array(records.length);
  let recordsBytes = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!isBytes(r.key) || !isBytes(r.value)) return null;
    const headers = headerPairs(r.headers);
    if (!headers) return null;
    const timestamp = timestampDeltas ? varLongBytes(timestampDeltas[i]!, Encoder) : ZERO_DELTA;
    let body = 1 + timestamp.length + varIntSize(i);
    body += bytesSize(r.key) + bytesSize(r.value);
    body += varIntSize(headers.length);
    for (const [k, v] of headers) {
      const kl = Buffer.byteLength(k);
      const vl = byteLength(v);
      body += varIntSize(kl) + kl + varIntSize(vl) + vl;
    }
    sized[i] = { message: r, headers, timestamp, body };
    recordsBytes += varIntSize(body) + body;
  }

  const compression = args.compression ?? 0;
  const attributes = (compression & COMPRESSION_CODEC_MASK) | (args.transactional ? TRANSACTIONAL_MASK : 0);
  const now = Date.now();
  // The fixed fields go through kafkajs's own Encoder: its Long handling of int64 inputs stays exact.
  const head = new Encoder(64)
    .writeInt16(attributes)
    .writeInt32(args.lastOffsetDelta ?? 0)
    .writeInt64(args.firstTimestamp === undefined ? now : args.firstTimestamp)
    .writeInt64(args.maxTimestamp === undefined ? now : args.maxTimestamp)
    .writeInt64(args.producerId === undefined ? -1 : args.producerId)
    .writeInt16(args.producerEpoch ?? 0)
    .writeInt32(args.firstSequence ?? 0)
    .writeInt32(records.length).buffer;
  const batchLength = 4 + 1 + 4 + head.length + recordsBytes;
  const prefix = new Encoder(32)
    .writeInt64(args.firstOffset === undefined ? 0 : args.firstOffset)
    .writeInt32(batchLength)
    .writeInt32(args.partitionLeaderEpoch ?? 0)
    .writeInt8(MAGIC_BYTE).buffer;

  const out = Buffer.allocUnsafe(prefix.length + 4 + head.length + recordsBytes);
  prefix.copy(out, 0);
  const crcAt = prefix.length;
  const bodyAt = crcAt + 4;
  head.copy(out, bodyAt);
  const w = new Writer(out, bodyAt + head.length);
  for (let i = 0; i < sized.length; i++) {
    const s = sized[i]!;
    const r = s.message;
    w.varInt(s.body);
    w.byte(0); // record attributes: none used
    for (const b of s.timestamp) w.byte(b);
    w.varInt(i);
    w.bytes(r.key as Buffer | string | null | undefined);
    w.bytes(r.value as Buffer | string | null | undefined);
    w.varInt(s.headers.length);
    for (const [k, v] of s.headers) (w.bytes(k), w.bytes(v));
  }
  if (w.pos !== out.length) throw new Error(`record batch encoding wrote ${w.pos} of ${out.length} bytes`);
  out.writeUInt32BE(crc32c(out, bodyAt, out.length), crcAt);
  return out;
}

class Writer {
  constructor(readonly buf: Buffer, public pos: number) {}

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  varInt(value: number): void {
    let v = (value << 1) ^ (value >> 31);
    while ((v & 0xffffff80) !== 0) (this.buf[this.pos++] = (v & 0x7f) | 0x80), (v >>>= 7);
    this.buf[this.pos++] = v & 0x7f;
  }

  /** Varint length (-1 for null) then the bytes; strings as UTF-8. */
  bytes(v: Buffer | string | null | undefined): void {
    if (v == null) return this.varInt(-1);
    if (typeof v === 'string') {
      this.varInt(Buffer.byteLength(v));
      this.pos += this.buf.write(v, this.pos, 'utf8');
      return;
    }
    this.varInt(v.length);
    this.pos += v.copy(this.buf, this.pos);
  }
}
