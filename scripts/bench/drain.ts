/**
 * Runs one connector process (pgcdc or Debezium) until its topic holds the expected number of records,
 * sampling the process's CPU seconds and peak RSS from /proc, and the CPU of the walsender serving its
 * slot. Both systems are measured by this one function, so their figures mean the same thing.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { log, mb, now, readCpu, readProc, round, sleep, waitExit } from './common.js';
import { walsenderPid } from './database.js';
import type { BenchKafka } from './kafka-topics.js';

export interface ConnectorProcess {
  child: ChildProcess;
  logFile: string;
  /** the connector's own failure message, when its log shows one */
  failure(): string | null;
}

export interface DrainSpec {
  label: string;
  topic: string;
  expected: number;
  slot: string;
  timeoutMs: number;
  sampleMs?: number;
  pg: pg.ClientConfig;
  start(): ConnectorProcess;
  /** called once the process runs (e.g. to start a writer); the drain then waits for `expected` records */
  onRunning?(proc: ConnectorProcess): Promise<void>;
  /** true once the connector is ready for onRunning (default: its slot is active) */
  ready?(): Promise<boolean>;
  /**
   * A transactional topic's offsets written, committed or not (null otherwise): the first record is
   * taken when it is written, not when its transaction commits, so the window covers the commit waits.
   */
  written?(): Promise<number | null>;
}

export interface Sample {
  t: number; // seconds since spawn
  records: number;
  /** transactional topics: offsets written, committed or not */
  written?: number;
  rssMb: number;
  cpuS: number;
}

export interface DrainResult {
  status: 'ok' | 'timeout' | 'crashed' | 'failed';
  failure: string | null;
  expected: number;
  delivered: number;
  firstRecordS: number | null; // spawn → first record in Kafka (transactional topic: written, not yet committed)
  lastRecordS: number | null; // spawn → expected records in Kafka
  recordsPerS: number; // expected / (last − first): the drain, without start-up
  cpuS: number; // user + system of the process from spawn to the last record (JVM: all threads, JIT and GC included)
  drainCpuS: number; // the same from the first to the last record: the cost of the events without start-up
  peakRssMb: number; // VmHWM
  walsenderCpuS: number | null;
  stopSeconds: number | null;
  exit: string;
  logFile: string;
  samples: Sample[];
}

/** Time at which `records` reached `target`, interpolated between samples. */
export function timeAt(samples: Sample[], target: number): number | null {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.records >= target) {
      const p = samples[i - 1];
      if (!p || s.records === p.records) return s.t;
      return p.t + ((target - p.records) / (s.records - p.records)) * (s.t - p.t);
    }
  }
  return null;
}

/** CPU seconds sampled just before time `t`. */
function cpuAt(samples: Sample[], t: number | null): number {
  if (t === null) return 0;
  let cpu = 0;
  for (const s of samples) if (s.t <= t) cpu = s.cpuS;
  return cpu;
}

export async function drain(kafka: BenchKafka, spec: DrainSpec): Promise<DrainResult> {
  const mon = new pg.Client(spec.pg);
  await mon.connect();
  const sampleMs = spec.sampleMs ?? 200;
  const t0 = now();
  const proc = spec.start();
  let exitInfo: { code: number | null; signal: string | null } | null = null;
  proc.child.once('exit', (code, signal) => (exitInfo = { code, signal }));
  const samples: Sample[] = [];
  let status: DrainResult['status'] = 'ok';
  let wsPid: number | undefined;
  let wsCpu: number | null = null;
  let hwm = 0;
  let cpuAtLast: number | null = null;
  let wsCpuAtLast: number | null = null;
  let lastLog = 0;
  let started = !spec.onRunning;
  let writer: Promise<void> | null = null;
  let writerError: unknown = null;
  try {
    for (;;) {
      const t = (now() - t0) / 1000;
      if (exitInfo) status = 'crashed';
      else if (proc.failure()) status = 'failed';
      else if (t * 1000 > spec.timeoutMs) status = 'timeout';
      if (status !== 'ok') break;
      if (writerError) throw writerError;
      const p = readProc(proc.child.pid);
      // a transactional count reads the records up to the end it saw first, which may take long after
      // a large commit: they were readable when that end was read, so the sample is dated then
      const countedAt = (now() - t0) / 1000;
      const records = await kafka.count(spec.topic);
      const written = (await spec.written?.()) ?? null;
      wsPid ??= await walsenderPid(mon, spec.slot).catch(() => undefined);
      wsCpu = readCpu(wsPid) ?? wsCpu;
      if (p) hwm = Math.max(hwm, p.hwmKb);
      const st = (now() - t0) / 1000;
      samples.push({ t: round(spec.written ? countedAt : st, 3), records, ...(written === null ? {} : { written }), rssMb: mb(p?.rssKb ?? 0), cpuS: p?.cpuS ?? 0 });
      if (!started && (spec.ready ? await spec.ready() : wsPid !== undefined)) {
        started = true;
        writer = spec.onRunning!(proc).catch((err) => void (writerError = err));
      }
      if (records >= spec.expected) {
        cpuAtLast = p?.cpuS ?? null;
        wsCpuAtLast = wsCpu;
        break;
      }
      if (st - lastLog >= 10) {
        lastLog = st;
        log(`  ${spec.label}: t=${round(st)}s records=${records.toLocaleString('en-US')}/${spec.expected.toLocaleString('en-US')} rss=${mb(p?.rssKb ?? 0)}MB cpu=${p?.cpuS ?? 0}s`);
      }
      await sleep(Math.max(0, sampleMs - (now() - t0 - st * 1000)));
    }
    if (writer) await writer;
    if (writerError) throw writerError;
  } finally {
    await mon.end().catch(() => {});
  }
  const final = readProc(proc.child.pid);
  if (final) hwm = Math.max(hwm, final.hwmKb);
  let stopSeconds: number | null = null;
  if (!exitInfo) {
    const ts = now();
    proc.child.kill('SIGTERM');
    const r = await waitExit(proc.child, 60_000);
    if (r.timedOut) {
      proc.child.kill('SIGKILL');
      await waitExit(proc.child, 5_000);
    } else stopSeconds = round((now() - ts) / 1000, 2);
  }
  const exit = exitInfo as { code: number | null; signal: string | null } | null;
  const first = timeAt(spec.written ? samples.map((s) => ({ ...s, records: Math.max(s.records, s.written ?? 0) })) : samples, 1);
  const last = status === 'ok' ? samples.at(-1)!.t : null;
  const delivered = samples.at(-1)?.records ?? 0;
  return {
    status,
    failure: proc.failure() ?? (status === 'ok' ? null : `${delivered} of ${spec.expected} records in ${spec.topic}`),
    expected: spec.expected,
    delivered,
    firstRecordS: first === null ? null : round(first, 2),
    lastRecordS: last,
    recordsPerS: first !== null && last !== null && last > first ? Math.round(spec.expected / (last - first)) : 0,
    cpuS: round(cpuAtLast ?? final?.cpuS ?? samples.at(-1)?.cpuS ?? 0, 2),
    drainCpuS: round((cpuAtLast ?? samples.at(-1)?.cpuS ?? 0) - cpuAt(samples, first), 2),
    peakRssMb: mb(hwm),
    walsenderCpuS: wsCpuAtLast ?? wsCpu,
    stopSeconds,
    exit: exit ? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`) : 'stopped by the benchmark',
    logFile: proc.logFile,
    samples,
  };
}
