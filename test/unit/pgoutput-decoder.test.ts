import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePgoutput, PgoutputDecodeError } from '../../src/decoding/pgoutput-decoder.js';
import { UNCHANGED_TOAST } from '../../src/decoding/messages.js';
import * as pg from '../fakes/pgoutput-bytes.js';

// above 2^32 so a decoder reading only the low 32 bits would be caught
const BIG = 0x1_2345_6789n;
const T = 1_700_000_000_123_456n; // µs since the Unix epoch

test('Begin: final LSN above 2^32, commit time converted from the 2000 epoch, xid unsigned', () => {
  assert.deepEqual(decodePgoutput(pg.begin(BIG, T, 0xfffffff0)), { tag: 'begin', finalLsn: BIG, commitTimeUs: T, xid: 0xfffffff0 });
});

test('Commit: commit and end LSN, commit time', () => {
  assert.deepEqual(decodePgoutput(pg.commit(BIG, BIG + 40n, T)), { tag: 'commit', commitLsn: BIG, endLsn: BIG + 40n, commitTimeUs: T });
});

test('Origin and Type', () => {
  assert.deepEqual(decodePgoutput(pg.origin(BIG, 'node_a')), { tag: 'origin', originLsn: BIG, name: 'node_a' });
  assert.deepEqual(decodePgoutput(pg.type(90007, 'public', 'mood')), { tag: 'type', typeOid: 90007, schema: 'public', name: 'mood' });
});

test('Relation: replica identity, columns with key flag, type oid and typmod (utf-8 names)', () => {
  const m = decodePgoutput(pg.relation(16384, 'public', 'çlients', 'f', [
    { name: 'id', typeOid: 23, key: true },
    { name: 'price', typeOid: 1700, typeMod: (10 << 16) + 2 + 4 },
  ]));
  assert.deepEqual(m, {
    tag: 'relation', relationOid: 16384, schema: 'public', table: 'çlients', replicaIdentity: 'full',
    columns: [
      { name: 'id', typeOid: 23, typeMod: -1, isKey: true },
      { name: 'price', typeOid: 1700, typeMod: (10 << 16) + 6, isKey: false },
    ],
  });
  for (const [byte, identity] of [['d', 'default'], ['n', 'nothing'], ['i', 'index']] as const) {
    assert.equal((decodePgoutput(pg.relation(1, 's', 't', byte, [])) as { replicaIdentity: string }).replicaIdentity, identity);
  }
});

test("Insert: text 't', null 'n' and unchanged TOAST 'u' values", () => {
  assert.deepEqual(decodePgoutput(pg.insert(16384, ['1', null, 'héllo', 'TOAST', ''])), {
    tag: 'insert', relationOid: 16384, newTuple: ['1', null, 'héllo', UNCHANGED_TOAST, ''],
  });
});

test("Update: no old row, old key 'K', old tuple 'O'", () => {
  assert.deepEqual(decodePgoutput(pg.update(5, ['1', 'b'])), { tag: 'update', relationOid: 5, keyTuple: null, oldTuple: null, newTuple: ['1', 'b'] });
  assert.deepEqual(decodePgoutput(pg.update(5, ['2', 'b'], { kind: 'K', cols: ['1', null] })), { tag: 'update', relationOid: 5, keyTuple: ['1', null], oldTuple: null, newTuple: ['2', 'b'] });
  assert.deepEqual(decodePgoutput(pg.update(5, ['1', 'TOAST'], { kind: 'O', cols: ['1', 'a'] })), { tag: 'update', relationOid: 5, keyTuple: null, oldTuple: ['1', 'a'], newTuple: ['1', UNCHANGED_TOAST] });
});

test("Delete: old key 'K' or old tuple 'O'", () => {
  assert.deepEqual(decodePgoutput(pg.del(5, 'K', ['1', null])), { tag: 'delete', relationOid: 5, keyTuple: ['1', null], oldTuple: null });
  assert.deepEqual(decodePgoutput(pg.del(5, 'O', ['1', 'a'])), { tag: 'delete', relationOid: 5, keyTuple: null, oldTuple: ['1', 'a'] });
});

test('Truncate: several relations, CASCADE and RESTART IDENTITY options', () => {
  assert.deepEqual(decodePgoutput(pg.truncate([5, 6])), { tag: 'truncate', relationOids: [5, 6], cascade: false, restartIdentity: false });
  assert.deepEqual(decodePgoutput(pg.truncate([5], { cascade: true })), { tag: 'truncate', relationOids: [5], cascade: true, restartIdentity: false });
  assert.deepEqual(decodePgoutput(pg.truncate([5], { restartIdentity: true })), { tag: 'truncate', relationOids: [5], cascade: false, restartIdentity: true });
  assert.deepEqual(decodePgoutput(pg.truncate([5], { cascade: true, restartIdentity: true })), { tag: 'truncate', relationOids: [5], cascade: true, restartIdentity: true });
});

test('Message (logical decoding message): transactional flag, LSN above 2^32, UTF-8 prefix, binary content kept byte for byte', () => {
  const content = Buffer.from([0x00, 0xff, 0x10, 0x80]);
  assert.deepEqual(decodePgoutput(pg.message(BIG, 'audit·é', content, true)), { tag: 'message', transactional: true, lsn: BIG, prefix: 'audit·é', content });
  assert.deepEqual(decodePgoutput(pg.message(BIG + 8n, 'p', '', false)), { tag: 'message', transactional: false, lsn: BIG + 8n, prefix: 'p', content: Buffer.alloc(0) });
  // the prefix ends at its NUL; a NUL inside the content is content
  const m = decodePgoutput(pg.message(1n, 'a', Buffer.from('x\0y'), false));
  assert.deepEqual(m.tag === 'message' && [m.prefix, m.content.toString('latin1')], ['a', 'x\0y']);
});

test('malformed or truncated buffers are PgoutputDecodeErrors, never a RangeError or a wrong message', () => {
  const whole = [
    pg.begin(BIG, T, 1), pg.commit(BIG, BIG, T), pg.relation(1, 's', 't', 'd', [{ name: 'id', typeOid: 23 }]),
    pg.insert(1, ['1', 'abc']), pg.update(1, ['1'], { kind: 'O', cols: ['0'] }), pg.del(1, 'K', ['1']), pg.truncate([1, 2]), pg.origin(1n, 'x'), pg.type(1, 's', 'n'),
    pg.message(BIG, 'prefix', 'content', true),
  ];
  for (const msg of whole) {
    for (let cut = 0; cut < msg.length; cut++) {
      assert.throws(() => decodePgoutput(msg.subarray(0, cut)), PgoutputDecodeError, `${String.fromCharCode(msg[0])} cut at ${cut} of ${msg.length}`);
    }
  }
  const bad = (buf: Buffer, re: RegExp) => assert.throws(() => decodePgoutput(buf), (e: unknown) => e instanceof PgoutputDecodeError && re.test(e.message) && e.retriable === false);
  bad(Buffer.from('Z'), /unknown message type 0x5a/);
  bad(Buffer.concat([pg.relation(1, 's', 't', 'd', [])]).fill('x'.charCodeAt(0), 9, 10), /unknown replica identity "x"/);
  const binaryValue = pg.insert(1, ['1']);
  binaryValue[8] = 'b'.charCodeAt(0); // the kind byte of the first value
  bad(binaryValue, /unexpected tuple value kind 0x62/);
  const insertWithoutN = pg.insert(1, ['1']);
  insertWithoutN[5] = 'K'.charCodeAt(0);
  bad(insertWithoutN, /insert: expected 0x4e, got 0x4b/);
  bad(Buffer.concat([Buffer.from('D'), Buffer.alloc(4), Buffer.from('N')]), /delete: unexpected tuple kind 0x4e/);
});
