import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyDelivered, fromStored, toStored, type SourceOffset } from '../../src/offsets/source-offset.js';

const C = 0x2_0000_0100n; // above 2^32
const mid: SourceOffset = { commitLsn: C, txChanges: 3, complete: false, lsn: C - 8n, flushLsn: C - 0x100n, txId: 9, tsUsec: 1 };

test('alreadyDelivered: earlier transactions, and the first txChanges changes of the stored one', () => {
  assert.equal(alreadyDelivered(null, C, 0), false, 'no offset: nothing delivered');
  assert.equal(alreadyDelivered(mid, C - 1n, 99), true, 'an earlier commit');
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => alreadyDelivered(mid, C, i)), [true, true, true, false, false]);
  assert.equal(alreadyDelivered(mid, C + 1n, 0), false, 'a later commit');
  const whole = { ...mid, complete: true };
  assert.equal(alreadyDelivered(whole, C, 1000), true, 'a complete transaction: every change');
  assert.equal(alreadyDelivered({ ...mid, txChanges: 0 }, C, 0), false, 'a keepalive position: the transaction committing there is still to come');
});

test('stored offsets round-trip exactly (64-bit LSNs as decimal strings) and Debezium offsets read as complete', () => {
  const stored = toStored(mid);
  assert.equal(stored.lsn_commit, C.toString());
  assert.deepEqual(fromStored(JSON.parse(JSON.stringify(stored))), mid);
  assert.deepEqual(fromStored({ lsn: Number(C), txId: 9, ts_usec: 1 }), { commitLsn: C, lsn: C, txChanges: 0, complete: true, flushLsn: C, txId: 9, tsUsec: 1 });
  assert.equal(fromStored({ lsn: '2/100' }).commitLsn, C, 'an LSN in PostgreSQL text form');
});
