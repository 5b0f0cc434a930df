/**
 * Command line of scripts/bench.sh: which workloads and systems, at which scale. The defaults are the
 * full scale of issue 8; `--scale 0.05` shrinks every workload for a quick run.
 */
import { resolve } from 'node:path';
import { ROOT } from './common.js';

export type WorkloadId = 'a' | 'b' | 'c' | 'd';
export type SystemId = 'pgcdc' | 'pgcdc-eos' | 'debezium' | 'limits';

export interface BenchOptions {
  workloads: WorkloadId[];
  systems: SystemId[];
  scale: number;
  /** (a) and (b): row changes; (d): rows of the snapshot table */
  changes: number;
  snapshotRows: number;
  steadyRate: number;
  steadySeconds: number;
  warmupSeconds: number;
  snapshotThreads: number;
  profile: boolean;
  timeoutS: number;
  quietWaitS: number;
  outDir: string;
  debeziumDir: string | null;
  pg: { host: string; port: number; user: string; password: string };
  brokers: string[];
  registryUrl: string;
}

export const USAGE = `usage: scripts/bench.sh [options]
  --workloads a,b,c,d   a: 1M changes in 10-change transactions (60% insert, 30% update, 10% delete)
                        b: one 1M-row transaction; c: 5,000 changes/s for 60 s (latency)
                        d: initial snapshot of a 5M-row table            (default: all)
  --systems pgcdc,pgcdc-eos,debezium,limits                              (default: all)
                        pgcdc-eos: pgcdc with exactly.once.support=required (one Kafka
                        transaction per delivered batch); its drain counts committed records
  --scale X             multiply rows, changes and the steady duration (default 1; e.g. 0.05)
  --steady-rate N       changes/s of workload c (default 5000)
  --steady-seconds N    duration of workload c (default 60 × scale, at least 5)
  --warmup-seconds N    workload c writes this long at the same rate first, unmeasured (default 10 × scale, at least 2)
  --snapshot-threads N  pgcdc snapshot.max.threads in workload d (default 1, like Debezium for one table)
  --profile             run pgcdc with --cpu-prof and print its top functions
  --timeout-s N         per drain (default 900)
  --quiet-wait-s N      wait up to N s for other load to end before each run (default 30)
  --out DIR             results directory (default bench-results)
  --summarize F...      print the top functions of .cpuprofile files and exit
Env: BENCH_DB (database, publication and slot names; default pgcdc_bench_vs), PGHOST/PGPORT/PGUSER/PGPASSWORD, PGCDC_KAFKA_BROKERS, BENCH_REGISTRY_URL, BENCH_DEBEZIUM_DIR (set by bench.sh).`;

const WORKLOADS: WorkloadId[] = ['a', 'b', 'c', 'd'];
const SYSTEMS: SystemId[] = ['pgcdc', 'pgcdc-eos', 'debezium', 'limits'];

function list<T extends string>(flag: string, value: string, allowed: T[]): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (items.length === 0 || bad.length > 0) throw new Error(`${flag}: unknown value(s) ${bad.join(', ') || '(empty)'}; allowed: ${allowed.join(', ')}`);
  return allowed.filter((a) => items.includes(a));
}

function positive(flag: string, value: string | undefined, integer: boolean): number {
  const n = Number((value ?? '').replace(/_/g, ''));
  if (value === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got "${value ?? ''}"`);
  }
  return n;
}

export function parseOptions(argv: string[], env = process.env): BenchOptions {
  const o: Record<string, string> = {};
  let profile = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--profile') profile = true;
    else if (/^--[a-z-]+$/.test(a) && a !== '--summarize') {
      if (argv[i + 1] === undefined) throw new Error(`${a} needs a value`);
      o[a] = argv[++i]!;
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  const known = ['--workloads', '--systems', '--scale', '--steady-rate', '--steady-seconds', '--warmup-seconds', '--snapshot-threads', '--timeout-s', '--quiet-wait-s', '--out'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new Error(`unknown option ${k}\n${USAGE}`);
  const scale = o['--scale'] ? positive('--scale', o['--scale'], false) : 1;
  const steadySeconds = o['--steady-seconds'] ? positive('--steady-seconds', o['--steady-seconds'], true) : Math.max(5, Math.round(60 * scale));
  return {
    workloads: o['--workloads'] ? list('--workloads', o['--workloads'], WORKLOADS) : WORKLOADS,
    systems: o['--systems'] ? list('--systems', o['--systems'], SYSTEMS) : SYSTEMS,
    scale,
    // multiples of 10: workload (a) is made of 10-change transactions
    changes: Math.max(100, Math.round((1_000_000 * scale) / 10) * 10),
    snapshotRows: Math.max(1000, Math.round(5_000_000 * scale)),
    steadyRate: o['--steady-rate'] ? positive('--steady-rate', o['--steady-rate'], true) : 5000,
    steadySeconds,
    warmupSeconds: o['--warmup-seconds'] ? positive('--warmup-seconds', o['--warmup-seconds'], true) : Math.max(2, Math.round(10 * scale)),
    snapshotThreads: o['--snapshot-threads'] ? positive('--snapshot-threads', o['--snapshot-threads'], true) : 1,
    profile,
    timeoutS: o['--timeout-s'] ? positive('--timeout-s', o['--timeout-s'], true) : 900,
    quietWaitS: o['--quiet-wait-s'] !== undefined ? Number(o['--quiet-wait-s']) : 30,
    outDir: resolve(ROOT, o['--out'] ?? 'bench-results'),
    debeziumDir: env.BENCH_DEBEZIUM_DIR || null,
    pg: { host: env.PGHOST ?? '127.0.0.1', port: Number(env.PGPORT ?? 5432), user: env.PGUSER ?? 'postgres', password: env.PGPASSWORD ?? '' },
    brokers: (env.PGCDC_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    registryUrl: env.BENCH_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  };
}
