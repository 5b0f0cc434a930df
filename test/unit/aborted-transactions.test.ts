/**
 * ReadCommittedFilter: the Java consumer's read_committed batch filter. Batches are built the way
 * the broker lays them out: a transactional producer's data batches, then its control batch
 * (ABORT or COMMIT marker); the response lists the aborted transactions it overlaps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCommittedFilter, type BatchHeader } from '../../src/kafka/aborted-transactions.js';

interface Batch extends BatchHeader {
  name: string;
}

const TX = 0x10;
const CONTROL = 0x20;

function controlKey(type: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** A data batch of `count` records at `at`. producerId -1: a plain (non-idempotent) producer. */
function data(name: string, at: bigint, count: number, producerId: bigint, transactional = true): Batch {
  return { name, firstOffset: at, lastOffsetDelta: count - 1, producerId, attributes: transactional ? TX : 0, records: Array.from({ length: count }, () => ({ key: Buffer.from(name) })) };
}

function marker(name: string, at: bigint, producerId: bigint, commit: boolean): Batch {
  return { name, firstOffset: at, lastOffsetDelta: 0, producerId, attributes: TX | CONTROL, records: [{ key: controlKey(commit ? 1 : 0) }] };
}

const names = (r: { kept: Batch[] }) => r.kept.map((b) => b.name);

test('an aborted transaction whose marker is in the same response is skipped, with its marker', () => {
  const f = new ReadCommittedFilter();
  const batches = [data('c1', 0n, 2, 1n), marker('commit1', 2n, 1n, true), data('a', 3n, 2, 1n), marker('abort', 5n, 1n, false), data('c2', 6n, 1, 1n), marker('commit2', 7n, 1n, true)];
  const r = f.accept(0n, [{ producerId: 1n, firstOffset: 3n }], batches);
  assert.deepEqual(names(r), ['c1', 'c2']);
  assert.equal(r.next, 8n);
});

test('an aborted transaction spanning two fetches: skipped in both, its marker in the later response', () => {
  const f = new ReadCommittedFilter();
  // Response 1 is cut by its byte limit after the transaction's first batch: no marker yet.
  const r1 = f.accept(0n, [{ producerId: 7n, firstOffset: 0n }], [data('a1', 0n, 3, 7n)]);
  assert.deepEqual(names(r1), [], 'an aborted batch is skipped though its marker is not in this response');
  assert.equal(r1.next, 3n, 'next advances past the skipped batch');
  // Response 2: the broker lists the transaction again (it overlaps), then the rest and the marker.
  const r2 = f.accept(3n, [{ producerId: 7n, firstOffset: 0n }], [data('a2', 3n, 2, 7n), marker('abort', 5n, 7n, false), data('c', 6n, 2, 7n), marker('commit', 8n, 7n, true)]);
  assert.deepEqual(names(r2), ['c'], 'after the abort marker the same producer is read again');
  assert.equal(r2.next, 9n);
});

test('state is carried across fetches even when the later response does not list the transaction again', () => {
  const f = new ReadCommittedFilter();
  f.accept(0n, [{ producerId: 7n, firstOffset: 0n }], [data('a1', 0n, 3, 7n)]);
  const r = f.accept(3n, [], [data('a2', 3n, 2, 7n), marker('abort', 5n, 7n, false), data('c', 6n, 1, 7n)]);
  assert.deepEqual(names(r), ['c']);
});

test('a listed aborted transaction not yet reached is kept for a later response', () => {
  const f = new ReadCommittedFilter();
  const r1 = f.accept(0n, [{ producerId: 2n, firstOffset: 4n }], [data('c', 0n, 3, 1n), marker('commit', 3n, 1n, true)]);
  assert.deepEqual(names(r1), ['c']);
  const r2 = f.accept(4n, null, [data('a', 4n, 2, 2n), marker('abort', 6n, 2n, false)]);
  assert.deepEqual(names(r2), []);
  assert.equal(r2.next, 7n);
});

test('interleaved committed and aborted producers: only the aborted producer\'s batches are skipped', () => {
  const f = new ReadCommittedFilter();
  const batches = [
    data('p1-a', 0n, 1, 1n),
    data('p2-c', 1n, 1, 2n),
    data('p1-b', 2n, 1, 1n),
    data('p2-d', 3n, 1, 2n),
    marker('p2-commit', 4n, 2n, true),
    data('p1-e', 5n, 1, 1n),
    marker('p1-abort', 6n, 1n, false),
    data('p2-f', 7n, 1, 2n),
    marker('p2-commit2', 8n, 2n, true),
  ];
  const r = f.accept(0n, [{ producerId: 1n, firstOffset: 0n }], batches);
  assert.deepEqual(names(r), ['p2-c', 'p2-d', 'p2-f']);
  assert.equal(r.next, 9n);
});

test('interleaved producers, cut before the abort marker: the aborting producer stays skipped in the next response', () => {
  const f = new ReadCommittedFilter();
  const r1 = f.accept(0n, [{ producerId: 1n, firstOffset: 0n }], [data('p1-a', 0n, 1, 1n), data('p2-c', 1n, 1, 2n)]);
  assert.deepEqual(names(r1), ['p2-c']);
  const r2 = f.accept(2n, [{ producerId: 1n, firstOffset: 0n }], [data('p1-b', 2n, 1, 1n), marker('p2-commit', 3n, 2n, true), marker('p1-abort', 4n, 1n, false), data('p1-c', 5n, 1, 1n)]);
  assert.deepEqual(names(r2), ['p1-c']);
});

test('commit markers are never handed out and end nothing', () => {
  const f = new ReadCommittedFilter();
  const r = f.accept(0n, [], [data('c1', 0n, 2, 3n), marker('commit', 2n, 3n, true), data('c2', 3n, 1, 3n), marker('commit2', 4n, 3n, true)]);
  assert.deepEqual(names(r), ['c1', 'c2']);
  assert.equal(r.next, 5n);
});

test('non-transactional batches pass untouched, even from a producer id listed as aborting', () => {
  const f = new ReadCommittedFilter();
  const r = f.accept(0n, [{ producerId: 5n, firstOffset: 0n }], [data('plain', 0n, 2, -1n, false), data('idempotent', 2n, 1, 5n, false), data('tx', 3n, 1, 5n), marker('abort', 4n, 5n, false)]);
  assert.deepEqual(names(r), ['plain', 'idempotent']);
});

test('only control and aborted batches: nothing handed out, next still past them all', () => {
  const f = new ReadCommittedFilter();
  const r = f.accept(10n, [{ producerId: 4n, firstOffset: 10n }], [data('a', 10n, 5, 4n), marker('abort', 15n, 4n, false)]);
  assert.deepEqual(names(r), []);
  assert.equal(r.next, 16n);
  const empty = f.accept(16n, [], []);
  assert.equal(empty.next, 16n, 'an empty response leaves next where it was asked');
});

test('a batch starting before the fetch offset counts towards next (compacted or mid-batch fetch)', () => {
  const f = new ReadCommittedFilter();
  const r = f.accept(3n, [], [data('c', 0n, 6, -1n, false)]);
  assert.deepEqual(names(r), ['c']);
  assert.equal(r.next, 6n);
});

test('a fetch from another offset than where the last ended forgets the state (no stale aborting producer)', () => {
  const f = new ReadCommittedFilter();
  f.accept(0n, [{ producerId: 9n, firstOffset: 0n }], [data('a', 0n, 2, 9n)]);
  // Read again from 0, this time the broker's answer (say after the abort was compacted away) lists nothing.
  const r = f.accept(0n, [], [data('c', 0n, 2, 9n), marker('commit', 2n, 9n, true)]);
  assert.deepEqual(names(r), ['c'], 'a producer marked aborting by an earlier read must not skip committed data');
});

test('an empty control batch (its record cleaned away) is no abort marker and is not handed out', () => {
  const f = new ReadCommittedFilter();
  const empty: Batch = { name: 'empty-control', firstOffset: 2n, lastOffsetDelta: 0, producerId: 6n, attributes: TX | CONTROL, records: [] };
  const r = f.accept(0n, [{ producerId: 6n, firstOffset: 0n }], [data('a', 0n, 2, 6n), empty, data('a2', 3n, 1, 6n)]);
  assert.deepEqual(names(r), [], 'still aborting: no ABORT marker was read');
  assert.equal(r.next, 4n);
});
