import { test } from 'node:test';
import assert from 'node:assert/strict';
import { standbyStatusUpdate, unixMicrosNow } from '../../src/postgres/standby-status.js';
import { parseLsn } from '../../src/postgres/lsn.js';

test('a standby status update is 34 bytes: r, three positions, reply_time, reply-requested', () => {
  const lsn = parseLsn('16/B374D848');
  const at = BigInt(Date.UTC(2026, 3, 30, 12, 0, 0)) * 1000n + 123n;
  const msg = standbyStatusUpdate(lsn, at, true);
  assert.equal(msg.length, 34);
  assert.equal(msg.toString('latin1', 0, 1), 'r');
  for (const offset of [1, 9, 17]) assert.equal(msg.subarray(offset, offset + 8).toString('hex'), '00000016b374d848');
  assert.equal(msg.readBigInt64BE(25), (BigInt(Date.UTC(2026, 3, 30, 12, 0, 0)) - 946_684_800_000n) * 1000n + 123n);
  assert.equal(msg[33], 1);
  assert.equal(standbyStatusUpdate(lsn, at, false)[33], 0);
});

test('reply_time counts microseconds from 2000-01-01 00:00:00 UTC', () => {
  const pgEpoch = BigInt(Date.parse('2000-01-01T00:00:00Z')) * 1000n;
  assert.equal(standbyStatusUpdate(1n, pgEpoch, false).readBigInt64BE(25), 0n);
  assert.equal(standbyStatusUpdate(1n, pgEpoch + 1n, false).readBigInt64BE(25), 1n);
  assert.equal(standbyStatusUpdate(1n, pgEpoch - 86_400_000_000n, false).readBigInt64BE(25), -86_400_000_000n);
  const now = unixMicrosNow();
  assert.ok(now - BigInt(Date.now()) * 1000n <= 0n && BigInt(Date.now()) * 1000n - now < 1_000_000n);
});

test('the position is sent as given, across the 32-bit boundary and at the top of the range', () => {
  for (const lsn of [parseLsn('0/FFFFFFFF'), parseLsn('1/0'), 0xffff_ffff_ffff_ffffn]) {
    const msg = standbyStatusUpdate(lsn, 0n, false);
    for (const offset of [1, 9, 17]) assert.equal(msg.readBigUInt64BE(offset), lsn);
  }
  assert.throws(() => standbyStatusUpdate(-1n, 0n, false), RangeError);
  assert.throws(() => standbyStatusUpdate(1n << 64n, 0n, false), RangeError);
});
