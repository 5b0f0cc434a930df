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
