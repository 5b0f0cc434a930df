/**
 * The benchmark's results: one JSON file with everything measured, and one markdown table (also
 * printed) with each figure as a ratio to Debezium and to the machine's limits, pgcdc's exactly-once
 * figures next to its at-least-once ones (issue 17), and the targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtInt, round } from './common.js';
import type { DrainResult } from './drain.js';
import type { WorkloadId } from './options.js';
import type { SinkLimitResult } from './sink-limit.js';
import type { LimitResult } from './source-limit.js';
import type { Latency } from './steady-load.js';

export interface SystemResult {
  system: 'pgcdc' | 'pgcdc-eos' | 'debezium';
  drain: DrainResult;
  recordBytes: { key: number; value: number; sampled: number } | null;
  latency?: Latency;
  /** pgcdc-eos: latency to the records' own timestamps (as pgcdc's), while `latency` runs to the commit marker */
  appendLatency?: Latency;
  /** pgcdc-eos: Kafka transactions its drain wrote (commit markers in its topic) */
  transactions?: number;
  busyBefore: number; // share of the CPUs other work used just before the run
  settings: Record<string, string>;
}

export interface WorkloadReport {
  id: WorkloadId;
  title: string;
  unit: string; // what one "event" is in this workload's rates
  details: Record<string, unknown>;
  pgcdc?: SystemResult;
  /** pgcdc with exactly.once.support=required */
  'pgcdc-eos'?: SystemResult;
  debezium?: SystemResult;
  source?: LimitResult;
}

export interface Report {
  meta: Record<string, unknown> & { date: string; machine: string; scale: number; noisy: boolean };
  workloads: WorkloadReport[];
  sink: SinkLimitResult | null;
}

const ratio = (a: number | undefined | null, b: number | undefined | null) => (a && b ? `${round(a / b, 2)}×` : '—');
const per1M = (cpu: number, n: number) => (n > 0 ? round((cpu / n) * 1e6, 1) : NaN);

/** The systems that ran in a workload, in the table's order. */
export const systemsIn = (w: WorkloadReport): SystemResult[] => [w.pgcdc, w['pgcdc-eos'], w.debezium].filter((s): s is SystemResult => !!s);

const LABEL: Record<SystemResult['system'], string> = { pgcdc: '**pgcdc**', 'pgcdc-eos': '**pgcdc-eos** (exactly-once)', debezium: 'Debezium' };

/** Events per second of a system in a workload (the steady workload's is its achieved rate). */
const rate = (s: SystemResult | undefined) => (s?.drain.status === 'ok' ? s.drain.recordsPerS : 0);

function systemRow(w: WorkloadReport, s: SystemResult, sink: SinkLimitResult | null): string {
  const d = s.drain;
  const dbz = s.system === 'debezium' ? undefined : w.debezium;
  const steady = w.id === 'c';
  const status = d.status === 'ok' ? '' : ` (${d.status}: ${d.failure ?? ''})`;
  const r = steady ? '—' : fmtInt(rate(s));
  const lat = s.latency ? `${s.latency.p50} / ${s.latency.p95} / ${s.latency.p99}` : '—';
  return `| ${w.id} | ${LABEL[s.system]}${status} | ${r} | ${steady ? '—' : ratio(rate(s), rate(dbz))} | ${steady ? '—' : ratio(rate(s), w.source?.perS)} | ${steady ? '—' : ratio(rate(s), sink?.perS)} | ${lat} | ${d.cpuS} | ${fmtInt(per1M(d.drainCpuS, d.expected))} | ${d.peakRssMb} | ${ratio(d.peakRssMb, dbz?.drain.peakRssMb)} |`;
}

function limitRow(w: WorkloadReport, l: LimitResult, what: string, n: number): string {
  return `| ${w.id} | ${what} | ${fmtInt(l.perS)} | | | | | ${l.cpuS ?? '—'} | ${fmtInt(per1M(l.cpuS ?? NaN, n))} | ${l.peakRssMb ?? '—'} | |`;
}

/**
 * pgcdc-eos ÷ pgcdc per workload where both ran: what exactly-once costs. Workload (c) writes at a
 * fixed rate, so there latency is compared instead of events/s.
 */
export function exactlyOnceRatios(r: Report): string[] {
  const out: string[] = [];
  for (const w of r.workloads) {
    const alo = w.pgcdc;
    const eos = w['pgcdc-eos'];
    if (!alo || !eos) continue;
    const head = `- (${w.id}) exactly-once / at-least-once:`;
    const down = [alo, eos].filter((s) => s.drain.status !== 'ok').map((s) => `${s.system} ${s.drain.status}`);
    if (down.length > 0) {
      out.push(`${head} n/a (${down.join(', ')})`);
      continue;
    }
    const figures = w.id === 'c'
      ? eos.latency && alo.latency
        ? [`latency p50 ${ratio(eos.latency.p50, alo.latency.p50)}, p95 ${ratio(eos.latency.p95, alo.latency.p95)}, p99 ${ratio(eos.latency.p99, alo.latency.p99)} (p99 ${eos.latency.p99} ms to the commit marker${eos.appendLatency ? `, ${eos.appendLatency.p99} ms to the records' own timestamps` : ''}; pgcdc ${alo.latency.p99} ms)`]
        : ['latency n/a']
      : [`events/s ${ratio(rate(eos), rate(alo))} (${fmtInt(rate(eos))} vs ${fmtInt(rate(alo))})`];
    const cpu = (s: SystemResult) => per1M(s.drain.drainCpuS, s.drain.expected);
    figures.push(`drain CPU per 1M records ${ratio(cpu(eos), cpu(alo))}`, `peak RSS ${ratio(eos.drain.peakRssMb, alo.drain.peakRssMb)}`);
    if (eos.transactions) figures.push(`${fmtInt(eos.transactions)} transaction${eos.transactions === 1 ? '' : 's'} of ${fmtInt(eos.drain.delivered / eos.transactions)} records on average`);
    out.push(`${head} ${figures.join(', ')}`);
  }
  return out;
}

export function targets(r: Report): string[] {
  const out: string[] = [];
  const check = (ok: boolean | null, text: string) => out.push(`- ${ok === null ? 'n/a' : ok ? 'met' : '**missed**'}: ${text}`);
  for (const w of r.workloads) {
    const p = w.pgcdc;
    const d = w.debezium;
    if (w.id !== 'c' && p && d) check(rate(p) > 0 && rate(d) > 0 ? rate(p) >= 2 * rate(d) : null, `(${w.id}) pgcdc ≥ 2× Debezium's ${w.unit}: ${ratio(rate(p), rate(d))}`);
    if ((w.id === 'a' || w.id === 'b') && p && w.source) check(rate(p) >= 0.5 * w.source.perS, `(${w.id}) pgcdc ≥ 50% of pg_recvlogical: ${round((100 * rate(p)) / w.source.perS)}%`);
    if (w.id === 'c' && p?.latency) check(p.latency.p99 <= 100, `(c) pgcdc p99 ≤ 100 ms at ${fmtInt(Number(w.details.rate))} changes/s: ${p.latency.p99} ms (Debezium ${d?.latency?.p99 ?? '—'} ms)`);
    if (p && d && d.drain.peakRssMb > 0) check(p.drain.peakRssMb < d.drain.peakRssMb / 3, `(${w.id}) pgcdc peak RSS < ⅓ of Debezium's: ${p.drain.peakRssMb} MB vs ${d.drain.peakRssMb} MB`);
  }
  return out;
}

export function markdown(r: Report): string {
  const m = r.meta;
  const lines = [
    `## pgcdc vs Debezium (${m.date.slice(0, 10)}, scale ${m.scale}${m.noisy ? ', machine was shared/noisy' : ''})`,
    '',
    `${m.machine}; ${m.versions}; pgcdc commit ${m.commit}.`,
    '',
    '| wl | system | events/s | × Debezium | × source limit | × sink limit | latency p50 / p95 / p99 ms | CPU s | drain CPU s / 1M records | peak RSS MB | RSS × Debezium |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const w of r.workloads) {
    for (const s of systemsIn(w)) lines.push(systemRow(w, s, r.sink));
    if (w.source) lines.push(limitRow(w, w.source, `${w.source.tool} (source limit)`, Number(w.details.events ?? 0)));
  }
  if (r.sink) lines.push(`| all | ProducerPerformance (sink limit, ${r.sink.recordBytes}-byte records) | ${fmtInt(r.sink.perS)} | | | | ${r.sink.latencyMs ? `${r.sink.latencyMs.p50} / ${r.sink.latencyMs.p95} / ${r.sink.latencyMs.p99}` : ''} | ${r.sink.cpuS ?? '—'} | | ${r.sink.peakRssMb ?? '—'} | |`);
  lines.push('', 'Workloads:');
  for (const w of r.workloads) {
    const sizes = systemsIn(w).filter((s) => !!s.recordBytes).map((s) => `${s.system} ${s.recordBytes!.key}+${s.recordBytes!.value} B`).join(', ');
    lines.push(`- (${w.id}) ${w.title}; events/s = ${w.unit}${sizes ? `; key+value per record: ${sizes}` : ''}.`);
  }
  const busy = r.workloads.flatMap(systemsIn).map((s) => s.busyBefore);
  if (busy.length > 0) lines.push(`- Other load on the machine just before the runs: ${busy.map((b) => `${Math.round(b * 100)}%`).join(', ')} of the CPUs.`);
  const eos = exactlyOnceRatios(r);
  if (eos.length > 0) {
    lines.push('', 'Exactly-once (pgcdc-eos: exactly.once.support=required, one transaction per delivered batch; drains count committed records):', ...eos);
  }
  lines.push('', 'Targets:', ...targets(r));
  return `${lines.join('\n')}\n`;
}

export function writeReport(dir: string, stamp: string, r: Report): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, markdown(r));
  return { json, md };
}
