import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DrainResult } from '../../scripts/bench/drain.js';
import { parseOptions } from '../../scripts/bench/options.js';
import { exactlyOnceRatios, markdown, systemsIn, type Report, type SystemResult, type WorkloadReport } from '../../scripts/bench/report.js';

const drain = (over: Partial<DrainResult>): DrainResult => ({
  status: 'ok', failure: null, expected: 100_000, delivered: 100_000, firstRecordS: 1, lastRecordS: 2, recordsPerS: 100_000,
  cpuS: 3, drainCpuS: 2, peakRssMb: 200, walsenderCpuS: null, stopSeconds: 0.1, exit: 'stopped by the benchmark', logFile: '', samples: [], ...over,
});
const system = (s: SystemResult['system'], over: Partial<DrainResult>, extra: Partial<SystemResult> = {}): SystemResult => ({
  system: s, drain: drain(over), recordBytes: null, busyBefore: 0, settings: {}, ...extra,
});
const report = (workloads: WorkloadReport[]): Report => ({
  meta: { date: '2026-12-02T00:00:00Z', machine: 'test', scale: 1, noisy: false, versions: 'v', commit: 'c' },
  workloads,
  sink: null,
});

test('pgcdc-eos is a system of its own, in the defaults and accepted by --systems', () => {
  assert.deepEqual(parseOptions([]).systems, ['pgcdc', 'pgcdc-eos', 'debezium', 'limits']);
  assert.deepEqual(parseOptions(['--systems', 'pgcdc-eos,pgcdc']).systems, ['pgcdc', 'pgcdc-eos']);
  assert.throws(() => parseOptions(['--systems', 'pgcdc-eo']), /unknown value\(s\) pgcdc-eo/);
});

test('the table has a pgcdc-eos row next to pgcdc, with its ratio to Debezium', () => {
  const w: WorkloadReport = {
    id: 'a', title: 't', unit: 'u', details: {},
    pgcdc: system('pgcdc', { recordsPerS: 100_000 }),
    'pgcdc-eos': system('pgcdc-eos', { recordsPerS: 80_000, drainCpuS: 3, peakRssMb: 220 }, { transactions: 50 }),
    debezium: system('debezium', { recordsPerS: 40_000, peakRssMb: 800 }),
  };
  assert.deepEqual(systemsIn(w).map((s) => s.system), ['pgcdc', 'pgcdc-eos', 'debezium']);
  const md = markdown(report([w]));
  const rows = md.split('\n').filter((l) => l.startsWith('| a |'));
  assert.equal(rows.length, 3);
  assert.match(rows[1]!, /^\| a \| \*\*pgcdc-eos\*\* \(exactly-once\) \| 80,000 \| 2× \|/);
  assert.match(rows[1]!, /\| 220 \| 0.28× \|$/);
  assert.match(md, /- \(a\) exactly-once \/ at-least-once: events\/s 0.8× \(80,000 vs 100,000\), drain CPU per 1M records 1.5×, peak RSS 1.1×, 50 transactions of 2,000 records on average/);
});

test('workload c compares latencies; a failed run or a missing pgcdc gives no made-up ratio', () => {
  const lat = (p50: number, p99: number) => ({ records: 10, p50, p95: p99, p99, max: p99, mean: p50 });
  const c: WorkloadReport = {
    id: 'c', title: 't', unit: 'u', details: {},
    pgcdc: system('pgcdc', {}, { latency: lat(2, 10) }),
    'pgcdc-eos': system('pgcdc-eos', {}, { latency: lat(50, 200), appendLatency: lat(1, 9) }),
  };
  const a: WorkloadReport = { id: 'a', title: 't', unit: 'u', details: {}, pgcdc: system('pgcdc', {}), 'pgcdc-eos': system('pgcdc-eos', { status: 'timeout', failure: 'x' }) };
  const d: WorkloadReport = { id: 'd', title: 't', unit: 'u', details: {}, 'pgcdc-eos': system('pgcdc-eos', {}) };
  const lines = exactlyOnceRatios(report([c, a, d]));
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^- \(c\) exactly-once \/ at-least-once: latency p50 25×, p95 20×, p99 20× \(p99 200 ms to the commit marker, 9 ms to the records' own timestamps; pgcdc 10 ms\)/);
  assert.equal(lines[1], '- (a) exactly-once / at-least-once: n/a (pgcdc-eos timeout)');
  assert.doesNotMatch(markdown(report([d])), /Exactly-once/);
});
