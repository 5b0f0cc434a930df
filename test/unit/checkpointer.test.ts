import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Checkpointer, type OffsetWriter } from '../../src/connector/checkpointer.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';
import type { SourceOffset } from '../../src/offsets/source-offset.js';

const log = pino({ level: 'silent' });
const offset = (lsn: bigint): SourceOffset => ({ commitLsn: lsn, txChanges: 1, complete: true, lsn, flushLsn: lsn, txId: 7, tsUsec: 1 });

/** An in-memory offset store whose writes fail `failures` times (with `error`), then succeed. */
class FlakyStore implements OffsetWriter {
  readonly written: Record<string, unknown>[] = [];
  attempts = 0;
  constructor(private failures: number, private readonly error = () => new PgcdcError('sink-transient', 'storing offset in "offsets": broker down')) {}
  async write(_key: string, value: Record<string, unknown> | null): Promise<void> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      throw this.error();
    }
    this.written.push(value!);
  }
}

test('offset store unreachable: nothing confirmed until the write succeeds, the retry reason is reported, then confirmed', async () => {
  const store = new FlakyStore(3);
  const confirmed: bigint[] = [];
  const retried: unknown[] = [];
  const cp = new Checkpointer(store, 'k', (lsn) => confirmed.push(lsn), log, { maxRetries: -1, flushIntervalMs: 200, onRetry: (e) => retried.push(e) });
  cp.delivered_(offset(100n));
  for (let i = 1; i <= 3; i++) {
    await cp.checkpoint(); // resolves: a retriable failure does not fail the connector
    assert.deepEqual(confirmed, [], `attempt ${i}: nothing confirmed`);
    assert.equal(cp.lastStored, null);
    assert.match(cp.retrying ?? '', new RegExp(`^storing the offset failed, retry ${i} in 200 ms .*broker down`));
  }
  assert.equal(retried.length, 3);
  cp.delivered_(offset(150n)); // more was delivered meanwhile: the next write stores the latest
  await cp.checkpoint();
  assert.deepEqual(confirmed, [150n]);
  assert.equal(cp.lastStored?.flushLsn, 150n);
  assert.equal(cp.retrying, null, 'the reason clears once stored');
  assert.equal(store.written.length, 1);
  assert.equal(store.attempts, 4);
});

test('a permanent write failure rejects (the connector fails) and confirms nothing', async () => {
  const store = new FlakyStore(1, () => new PgcdcError('sink-permanent', 'not authorized to write the offset topic'));
  const confirmed: bigint[] = [];
  const cp = new Checkpointer(store, 'k', (lsn) => confirmed.push(lsn), log, { maxRetries: -1, flushIntervalMs: 200 });
  cp.delivered_(offset(100n));
  await assert.rejects(cp.checkpoint(), /not authorized/);
  assert.deepEqual(confirmed, []);
  await cp.checkpoint(); // a later checkpoint still runs (the chain is not poisoned)
  assert.deepEqual(confirmed, [100n]);
});

test('errors.max.retries bounds consecutive failed writes', async () => {
  const store = new FlakyStore(5);
  const cp = new Checkpointer(store, 'k', () => {}, log, { maxRetries: 2, flushIntervalMs: 200 });
  cp.delivered_(offset(100n));
  await cp.checkpoint();
  await cp.checkpoint();
  await assert.rejects(cp.checkpoint(), /broker down/);
});

test('calls during a slow write share one follow-up instead of queueing one write each', async () => {
  let release!: () => void;
  let writes = 0;
  const store: OffsetWriter = {
    write: () => {
      writes++;
      return writes === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    },
  };
  const confirmed: bigint[] = [];
  const cp = new Checkpointer(store, 'k', (lsn) => confirmed.push(lsn), log);
  cp.delivered_(offset(1n));
  const first = cp.checkpoint();
  await new Promise((r) => setImmediate(r)); // the first write is under way (and hangs)
  assert.equal(writes, 1);
  cp.delivered_(offset(2n));
  const followUps = [cp.checkpoint(), cp.checkpoint(), cp.checkpoint()];
  release();
  await Promise.all([first, ...followUps]);
  assert.equal(writes, 2);
  assert.deepEqual(confirmed, [1n, 2n]);
});

test('a transactional writer with records pending commits even when the offset did not move; without pending, nothing is written', async () => {
  let pending = false;
  const written: Record<string, unknown>[] = [];
  const store: OffsetWriter = {
    get pending() {
      return pending;
    },
    write: async (_k, v) => {
      written.push(v!);
      pending = false;
    },
  };
  const confirmed: bigint[] = [];
  const cp = new Checkpointer(store, 'k', (lsn) => confirmed.push(lsn), log);
  cp.delivered_(offset(5n));
  await cp.checkpoint();
  await cp.checkpoint();
  assert.equal(written.length, 1, 'an unchanged offset with nothing pending is not written again');
  pending = true; // e.g. a heartbeat record sent at the same position
  await cp.checkpoint();
  assert.equal(written.length, 2, 'the pending records are committed with the same offset');
  assert.deepEqual(confirmed, [5n, 5n]);
});

test('exactly-once (maxRetries 0): a failed commit rejects at once, so the run restarts from the committed offset', async () => {
  const store = new FlakyStore(1);
  const confirmed: bigint[] = [];
  const cp = new Checkpointer(store, 'k', (lsn) => confirmed.push(lsn), log, { maxRetries: 0, flushIntervalMs: 100 });
  cp.delivered_(offset(9n));
  await assert.rejects(cp.checkpoint(), /broker down/);
  assert.deepEqual(confirmed, []);
});
