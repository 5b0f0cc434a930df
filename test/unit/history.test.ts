import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_HISTORY_SIZE, ConnectorHistory } from '../../src/metrics/history.js';
import { historyIntervalMs } from '../../src/metrics/history-sampler.js';

const input = (events: number, lagMs: number | null = 0) => ({ events, lagMs, lagBytes: 10, retainedWalBytes: 20 });

test('events per second is the rise since the previous point; the first point has none', () => {
  const h = new ConnectorHistory(1000);
  h.record(input(0), 0);
  h.record(input(50), 1000);
  h.record(input(50), 2000);
  h.record(input(125), 2500);
  assert.deepEqual(h.points(2500).map((p) => p.events_per_second), [null, 50, 0, 150]);
  assert.deepEqual(h.points(2500)[1], { at: 1000, events_total: 50, events_per_second: 50, lag_ms: 0, lag_bytes: 10, retained_wal_bytes: 20 });
});

test('the ring keeps one hour and drops the oldest, oldest first', () => {
  const h = new ConnectorHistory(5000);
  assert.equal(h.capacity, 721);
  for (let i = 0; i < 2000; i++) h.record(input(i, i), i * 5000);
  const now = 1999 * 5000;
  const points = h.points(now);
  assert.equal(points.length, 721);
  assert.equal(points[0]!.at, now - 3_600_000);
  assert.equal(points.at(-1)!.at, now);
  assert.ok(points.every((p, i) => i === 0 || p.at > points[i - 1]!.at));
});

test('points older than the retention are not returned even when the ring is not full (a quiet worker)', () => {
  const h = new ConnectorHistory(5000);
  h.record(input(1), 0);
  h.record(input(2), 5000);
  assert.equal(h.points(3_600_000 + 1).length, 1);
  assert.equal(h.points(3_600_000 + 5001).length, 0);
});

test('a counter that went down restarts the rate rather than charting a negative one', () => {
  const h = new ConnectorHistory(1000);
  h.record(input(100), 0);
  h.record(input(10), 1000);
  assert.equal(h.points(1000)[1]!.events_per_second, null);
});

test('alert transitions are bounded', () => {
  const h = new ConnectorHistory(1000);
  for (let i = 0; i < ALERT_HISTORY_SIZE + 5; i++) h.recordAlert({ name: 'lag_ms', state: i % 2 ? 'resolved' : 'firing', at: new Date(i).toISOString(), value: i, threshold: 1 });
  const kept = h.alerts();
  assert.equal(kept.length, ALERT_HISTORY_SIZE);
  assert.equal(kept[0]!.value, 5);
});

test('PGCDC_HISTORY_INTERVAL_MS: default 5 s, bad values named', () => {
  assert.equal(historyIntervalMs({}), 5000);
  assert.equal(historyIntervalMs({ PGCDC_HISTORY_INTERVAL_MS: '500' }), 500);
  for (const bad of ['0', '-5', '1.5', 'soon', '50', '700000']) {
    assert.throws(() => historyIntervalMs({ PGCDC_HISTORY_INTERVAL_MS: bad }), /PGCDC_HISTORY_INTERVAL_MS must be an integer/);
  }
  assert.throws(() => new ConnectorHistory(0), /positive/);
});
