/**
 * Hand-built pgoutput (protocol v1) messages, byte for byte as the server sends them, so the decoder
 * and the streaming loop can be tested without PostgreSQL.
 * Format: https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html
 */
import { PG_EPOCH_OFFSET_US } from '../../src/postgres/pg-time.js';

/** A tuple column: a text value, null ('n') or an unchanged TOASTed value ('u'). */
export type Col = string | null | 'TOAST';

const u8 = (v: number) => Buffer.from([v]);
const i16 = (v: number) => { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; };
const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; };
const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), u8(0)]);
const char = (c: string) => u8(c.charCodeAt(0));
/** µs since the Unix epoch → the protocol's µs since 2000-01-01 */
const time = (unixUs: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(unixUs - PG_EPOCH_OFFSET_US); return b; };

export function tuple(cols: Col[]): Buffer {
  const parts = [i16(cols.length)];
  for (const c of cols) {
    if (c === null) parts.push(char('n'));
    else if (c === 'TOAST') parts.push(char('u'));
    else {
      const text = Buffer.from(c, 'utf8');
      parts.push(char('t'), i32(text.length), text);
    }
  }
  return Buffer.concat(parts);
}

export const begin = (finalLsn: bigint, commitUnixUs: bigint, xid: number) => Buffer.concat([char('B'), u64(finalLsn), time(commitUnixUs), u32(xid)]);
export const commit = (commitLsn: bigint, endLsn: bigint, commitUnixUs: bigint) => Buffer.concat([char('C'), u8(0), u64(commitLsn), u64(endLsn), time(commitUnixUs)]);
export const origin = (lsn: bigint, name: string) => Buffer.concat([char('O'), u64(lsn), cstr(name)]);
export const type = (oid: number, schema: string, name: string) => Buffer.concat([char('Y'), u32(oid), cstr(schema), cstr(name)]);

export interface RelCol { name: string; typeOid: number; typeMod?: number; key?: boolean }
export function relation(oid: number, schema: string, table: string, identity: 'd' | 'n' | 'f' | 'i', columns: RelCol[]): Buffer {
  const cols = columns.map((c) => Buffer.concat([u8(c.key ? 1 : 0), cstr(c.name), u32(c.typeOid), i32(c.typeMod ?? -1)]));
  return Buffer.concat([char('R'), u32(oid), cstr(schema), cstr(table), char(identity), i16(columns.length), ...cols]);
}

export const insert = (oid: number, cols: Col[]) => Buffer.concat([char('I'), u32(oid), char('N'), tuple(cols)]);
export function update(oid: number, cols: Col[], old?: { kind: 'K' | 'O'; cols: Col[] }): Buffer {
  return Buffer.concat([char('U'), u32(oid), ...(old ? [char(old.kind), tuple(old.cols)] : []), char('N'), tuple(cols)]);
}
export const del = (oid: number, kind: 'K' | 'O', cols: Col[]) => Buffer.concat([char('D'), u32(oid), char(kind), tuple(cols)]);
export function truncate(oids: number[], opts: { cascade?: boolean; restartIdentity?: boolean } = {}): Buffer {
  const flags = (opts.cascade ? 1 : 0) | (opts.restartIdentity ? 2 : 0);
  return Buffer.concat([char('T'), u32(oids.length), u8(flags), ...oids.map(u32)]);
}
/** A logical decoding message (PostgreSQL 14+, messages 'true'; protocol v1 sends no xid). */
export function message(lsn: bigint, prefix: string, content: Buffer | string, transactional: boolean): Buffer {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  return Buffer.concat([char('M'), u8(transactional ? 1 : 0), u64(lsn), cstr(prefix), u32(bytes.length), bytes]);
}
