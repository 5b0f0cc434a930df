import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { AlertEvaluator, type AlertThresholds, type AlertValues } from '../../src/metrics/alerts.js';
import { WebhookNotifier } from '../../src/metrics/webhook.js';

const T: AlertThresholds = { lagMs: 1000, lagBytes: 0, slotRetainedWalBytes: 0, forMs: 500 };
const v = (lagMs: number | null, lagBytes: number | null = 0, retainedWalBytes: number | null = 0): AlertValues => ({ lagMs, lagBytes, retainedWalBytes });

test('fires only after the condition held for lag.alert.for.ms, resolves when back under', () => {
  const a = new AlertEvaluator();
  let now = 10_000;
  assert.deepEqual(a.evaluate(v(1500), T, now), []);
  assert.equal(a.active[0].state, 'pending');
  now += 499;
  assert.deepEqual(a.evaluate(v(2000), T, now), []);
  now += 1;
  const fired = a.evaluate(v(2100), T, now);
  assert.equal(fired.length, 1);
  assert.deepEqual({ ...fired[0], at: undefined }, { name: 'lag_ms', state: 'firing', value: 2100, threshold: 1000, at: undefined });
  assert.equal(a.isFiring('lag_ms'), true);
  assert.deepEqual(a.active, [{ name: 'lag_ms', state: 'firing', since: new Date(now).toISOString(), value: 2100, threshold: 1000 }]);
  // still over: no repeated transition
  assert.deepEqual(a.evaluate(v(5000), T, (now += 1000)), []);
  const resolved = a.evaluate(v(0), T, (now += 100));
  assert.deepEqual(resolved.map((t) => [t.name, t.state, t.value]), [['lag_ms', 'resolved', 0]]);
  assert.deepEqual(a.active, []);
});

test('a dip under the threshold before lag.alert.for.ms restarts the hold; pending never resolves', () => {
  const a = new AlertEvaluator();
  let now = 0;
  a.evaluate(v(1500), T, now);
  assert.deepEqual(a.evaluate(v(10), T, (now += 400)), [], 'a pending alert going away is no transition');
  assert.deepEqual(a.evaluate(v(1500), T, (now += 100)), []);
  assert.deepEqual(a.evaluate(v(1500), T, (now += 400)), [], 'the hold counts from the new start');
  assert.equal(a.evaluate(v(1500), T, (now += 100)).length, 1);
});

test('threshold 0 is off; forMs 0 fires at once; unknown values keep the state', () => {
  const a = new AlertEvaluator();
  const t: AlertThresholds = { lagMs: 0, lagBytes: 100, slotRetainedWalBytes: 1000, forMs: 0 };
  const fired = a.evaluate(v(10 ** 9, 101, 1001), t, 0);
  assert.deepEqual(fired.map((x) => x.name).sort(), ['lag_bytes', 'slot_retained_wal_bytes']);
  assert.deepEqual(a.evaluate(v(null, null, null), t, 5), [], 'null = unknown, not resolved');
  assert.equal(a.isFiring('lag_bytes'), true);
  // exactly at the threshold is not over it
  assert.deepEqual(a.evaluate(v(null, 100, 2000), t, 10).map((x) => [x.name, x.state]), [['lag_bytes', 'resolved']]);
  // switching an alert off while it fires resolves it
  const off = a.evaluate(v(null, 0, 5000), { ...t, slotRetainedWalBytes: 0 }, 20);
  assert.deepEqual(off.map((x) => [x.name, x.state]), [['slot_retained_wal_bytes', 'resolved']]);
  assert.deepEqual(a.active, []);
});

/** A receiver answering each request with `answer(n)` (n from 1), or never when it returns null. */
async function receiver(answer: (n: number) => number | null) {
  const bodies: unknown[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const code = answer(++n);
      if (code === null) return; // hang
      if (code < 300) bodies.push(JSON.parse(body));
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, calls: () => n, close: () => (server.closeAllConnections(), server.close()) };
}

const quiet = pino({ level: 'silent' });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check());
};

test('webhook: a 500 answer is retried, order is kept, post() never waits', async (t) => {
  const r = await receiver((n) => (n === 1 ? 500 : 204));
  const w = new WebhookNotifier(quiet, { initialDelayMs: 20, timeoutMs: 1000 });
  t.after(() => (w.close(), r.close()));
  const started = performance.now();
  w.post(r.url, { status: 'firing' });
  w.post(r.url, { status: 'resolved' });
  assert.ok(performance.now() - started < 20, 'post() returns at once');
  await until(() => r.bodies.length === 2);
  assert.deepEqual(r.bodies, [{ status: 'firing' }, { status: 'resolved' }]);
  assert.equal(r.calls(), 3);
});

test('webhook: a hanging or unreachable receiver is timed out and given up on', async (t) => {
  const r = await receiver(() => null);
  const w = new WebhookNotifier(quiet, { initialDelayMs: 10, timeoutMs: 100, attempts: 2 });
  t.after(() => (w.close(), r.close()));
  w.post(r.url, { status: 'firing' });
  w.post('http://127.0.0.1:1/unreachable', { status: 'firing' });
  await until(() => r.calls() === 2);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(r.calls(), 2, 'attempts are bounded');
});
