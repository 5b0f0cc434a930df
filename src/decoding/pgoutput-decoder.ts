import { PG_EPOCH_OFFSET_US } from '../postgres/pg-time.js';
import {
  UNCHANGED_TOAST,
  type PgoutputMessage,
  type RelationColumn,
  type ReplicaIdentity,
  type Tuple,
} from './messages.js';

/**
 * Decodes one pgoutput message (the payload of an XLogData frame) without any I/O or state:
 * relations are returned as messages and resolved by the caller, so the decoder can be tested on
 * bytes alone. Format: https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html
 */
export class PgoutputDecodeError extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(`pgoutput: ${message}`);
    this.name = 'PgoutputDecodeError';
  }
}

const IDENTITY: Record<string, ReplicaIdentity> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new PgoutputDecodeError(`message truncated at byte ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    return this.i32() >>> 0;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  /** protocol timestamps count µs from 2000-01-01; pgcdc uses µs since the Unix epoch */
  timeUs(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v + PG_EPOCH_OFFSET_US;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new PgoutputDecodeError(`unterminated string at byte ${this.pos}`);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

function readTuple(r: Reader): Tuple {
  const n = r.i16();
  const tuple: Tuple = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = r.u8();
    if (kind === 0x74 /* t */) {
      const len = r.i32();
      r.need(len);
      tuple[i] = r.buf.toString('utf8', r.pos, r.pos + len);
      r.pos += len;
    } else if (kind === 0x6e /* n */) {
      tuple[i] = null;
    } else if (kind === 0x75 /* u */) {
      tuple[i] = UNCHANGED_TOAST;
    } else {
      // 'b' (binary) is only sent when the subscription asks for binary mode, which pgcdc never does.
      throw new PgoutputDecodeError(`unexpected tuple value kind 0x${kind.toString(16)}`);
    }
  }
  return tuple;
}

function readColumn(r: Reader): RelationColumn {
  const flags = r.u8();
  const name = r.cstring();
  const typeOid = r.u32();
  const typeMod = r.i32();
  return { name, typeOid, typeMod, isKey: (flags & 1) === 1 };
}

export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = r.u8();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: r.u64(), commitTimeUs: r.timeUs(), xid: r.u32() };
    case 0x43 /* C */: {
      r.u8(); // flags, unused
      return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTimeUs: r.timeUs() };
    }
    case 0x4f /* O */:
      return { tag: 'origin', originLsn: r.u64(), name: r.cstring() };
    case 0x52 /* R */: {
      const relationOid = r.u32();
      const schema = r.cstring();
      const table = r.cstring();
      const identityByte = String.fromCharCode(r.u8());
      const replicaIdentity = IDENTITY[identityByte];
      if (!replicaIdentity) throw new PgoutputDecodeError(`unknown replica identity "${identityByte}" for ${schema}.${table}`);
      const count = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) columns.push(readColumn(r));
      return { tag: 'relation', relationOid, schema, table, replicaIdentity, columns };
    }
    case 0x59 /* Y */:
      return { tag: 'type', typeOid: r.u32(), schema: r.cstring(), name: r.cstring() };
    case 0x49 /* I */: {
      const relationOid = r.u32();
      expectByte(r, 0x4e, 'insert');
      return { tag: 'insert', relationOid, newTuple: readTuple(r) };
    }
    case 0x55 /* U */: {
      const relationOid = r.u32();
      let keyTuple: Tuple | null = null;
      let oldTuple: Tuple | null = null;
      let sub = r.u8();
      if (sub === 0x4b /* K */) {
        keyTuple = readTuple(r);
        sub = r.u8();
      } else if (sub === 0x4f /* O */) {
        oldTuple = readTuple(r);
        sub = r.u8();
      }
      if (sub !== 0x4e) throw new PgoutputDecodeError(`update: expected new tuple, got 0x${sub.toString(16)}`);
      return { tag: 'update', relationOid, keyTuple, oldTuple, newTuple: readTuple(r) };
    }
    case 0x44 /* D */: {
      const relationOid = r.u32();
      const sub = r.u8();
      if (sub === 0x4b) return { tag: 'delete', relationOid, keyTuple: readTuple(r), oldTuple: null };
      if (sub === 0x4f) return { tag: 'delete', relationOid, keyTuple: null, oldTuple: readTuple(r) };
      throw new PgoutputDecodeError(`delete: unexpected tuple kind 0x${sub.toString(16)}`);
    }
    case 0x54 /* T */: {
      const count = r.u32();
      const flags = r.u8();
      const relationOids: number[] = [];
      for (let i = 0; i < count; i++) relationOids.push(r.u32());
      return { tag: 'truncate', relationOids, cascade: (flags & 1) !== 0, restartIdentity: (flags & 2) !== 0 };
    }
    case 0x4d /* M */: {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstring();
      const content = Buffer.from(r.bytes(r.u32()));
      return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content };
    }
    default:
      throw new PgoutputDecodeError(`unknown message type 0x${tag.toString(16)}`);
  }
}

function expectByte(r: Reader, expected: number, what: string): void {
  const got = r.u8();
  if (got !== expected) throw new PgoutputDecodeError(`${what}: expected 0x${expected.toString(16)}, got 0x${got.toString(16)}`);
}
