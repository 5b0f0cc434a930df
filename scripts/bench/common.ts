/**
 * Helpers shared by the benchmark (scripts/bench.sh): /proc sampling, child processes,
 * replication-slot cleanup, waiting for a quiet machine, and V8 .cpuprofile summaries.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The repository root (this file compiles to dist/scripts/bench/common.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLK_TCK = 100;

// ---------------------------------------------------------------------------------------------- settings

export function intEnv(name: string, dflt: number, env = process.env): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

export function intListEnv(name: string, dflt: number[], env = process.env): number[] {
  const v = env[name];
  if (v === undefined || v.trim() === '') return dflt;
  const list = v.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${name} must be a comma-separated list of positive integers, got "${v}"`);
  return list;
}

export const flagEnv = (name: string, env = process.env): boolean => ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());

// ---------------------------------------------------------------------------------------------- formatting

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();
export const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
export const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : NaN);
export const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');
export const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------------------------------------- /proc

export interface ProcSample {
  rssKb: number;
  hwmKb: number;
  cpuS: number;
}

export function readProc(pid: number | undefined): ProcSample | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), cpuS: readCpu(pid) ?? 0 };
  } catch {
    return null;
  }
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function readCpu(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Machine-wide CPU jiffies: busy and total (first line of /proc/stat). */
export function readMachineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3]! + (f[4] ?? 0);
  return { busy: total - idle, total };
}

export function kafkaPid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(ROOT, '.stack/run/kafka.pid'), 'utf8').trim());
    return pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Share of all cores busy over `ms`. */
export async function machineBusy(ms: number): Promise<number> {
  const a = readMachineCpu();
  await sleep(ms);
  const b = readMachineCpu();
  return (b.busy - a.busy) / Math.max(1, b.total - a.total);
}

/**
 * Other work on a small machine (test suites, builds) skews the figures: waits up to `maxWaitMs`
 * for a second with under 25 % of the cores busy, and warns when there was none.
 */
export async function waitForQuiet(maxWaitMs: number): Promise<number> {
  const deadline = now() + maxWaitMs;
  let busy = await machineBusy(1000);
  while (busy > 0.25 && now() < deadline) busy = await machineBusy(1000);
  if (busy > 0.25) log(`WARNING: ${pct(busy)} of the CPU is busy with other work before the run; figures will be low (the report is marked noisy)`);
  return round(busy, 3);
}

// ---------------------------------------------------------------------------------------------- processes

export function sh(cmd: string): string {
  try {
    return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: ROOT }).trim();
  } catch {
    return '';
  }
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: string | null; timedOut: boolean }> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode, timedOut: false });
      return;
    }
    const timer = setTimeout(() => resolveExit({ code: null, signal: null, timedOut: true }), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal, timedOut: false });
    });
  });
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

export async function withClient<T>(config: pg.ClientConfig, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(config);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Drops a replication slot, terminating the walsender that holds it first. */
export async function dropSlotIfExists(c: pg.Client, slot: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await c.query('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (r.rowCount === 0) return;
    const pid = r.rows[0].active_pid as number | null;
    if (pid) {
      await c.query('SELECT pg_terminate_backend($1)', [pid]).catch(() => {});
      await sleep(200);
      continue;
    }
    try {
      await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`could not drop replication slot ${slot}`);
}

// ---------------------------------------------------------------------------------------------- profiles

export interface ProfileRow {
  function: string;
  location: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  top: ProfileRow[];
  byPackage: { name: string; selfMs: number; share: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Sums self time per function (and per package, or pgcdc source folder) of a V8 .cpuprofile. */
export function summarizeProfile(file: string): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const perFn = new Map<string, { function: string; location: string; us: number }>();
  const perPkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    total += us;
    const url = cf.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const location = url ? `${url}:${cf.lineNumber + 1}` : '';
    const fn = cf.functionName || (url ? '(anonymous)' : '(native)');
    const key = `${fn}@${location}`;
    const row = perFn.get(key) ?? { function: fn, location, us: 0 };
    row.us += us;
    perFn.set(key, row);
    const own = /(?:^|\/)dist\/src\/([^/]+)\//.exec(url)?.[1];
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]
      ?? (own ? `pgcdc ${own}/` : url.startsWith('node:') ? 'node core' : url ? url : fn.startsWith('(') ? fn : '(native/V8)');
    perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + us);
  }
  const top = [...perFn.values()]
    .sort((a, b) => b.us - a.us)
    .map((r) => ({ function: r.function, location: r.location, selfMs: round(r.us / 1000, 1), share: round(r.us / total, 4) }));
  const byPackage = [...perPkg]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, selfMs: round(us / 1000, 1), share: round(us / total, 4) }));
  return { totalMs: round(total / 1000, 1), top, byPackage };
}

export function printProfile(file: string, n = 10): void {
  const s = summarizeProfile(file);
  console.log(`\nCPU profile ${file} (${fmtInt(s.totalMs)} ms sampled)\n`);
  console.log('| # | function | location | self ms | self % |');
  console.log('|---|---|---|---:|---:|');
  s.top.slice(0, n).forEach((r, i) => console.log(`| ${i + 1} | \`${r.function}\` | ${r.location} | ${fmtInt(r.selfMs)} | ${(r.share * 100).toFixed(1)}% |`));
  console.log('\n| package / area | self ms | self % |');
  console.log('|---|---:|---:|');
  for (const r of s.byPackage.slice(0, 12)) console.log(`| ${r.name} | ${fmtInt(r.selfMs)} | ${(r.share * 100).toFixed(1)}% |`);
}
