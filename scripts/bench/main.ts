/**
 * scripts/bench.sh: pgcdc, Debezium and the machine's limits on the same PostgreSQL, broker and
 * workloads, in one run. Writes bench-results/<date>.md and .json and prints the table.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, fmtInt, log, printProfile, sh, withClient } from './common.js';
import { pgConfig } from './database.js';
import { debeziumDir } from './debezium-runner.js';
import { BenchKafka } from './kafka-topics.js';
import { USAGE, parseOptions } from './options.js';
import { PGCDC_CONFIG_TOPICS, PGCDC_OFFSET_TOPIC } from './pgcdc-runner.js';
import { markdown, systemsIn, writeReport, type Report, type WorkloadReport } from './report.js';
import { runSnapshot, runSteady, runStreaming } from './run-workloads.js';
import type { SinkLimitResult } from './sink-limit.js';

function pomVersion(file: string, name: string): string {
  return new RegExp(`<${name}\\.version>([^<]+)</`).exec(readFileSync(join(ROOT, file), 'utf8'))?.[1] ?? '?';
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--summarize') {
    for (const f of argv.slice(1)) printProfile(f, 25);
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const o = parseOptions(argv);
  if (o.systems.includes('debezium')) debeziumDir(o); // fail before any work when Debezium is missing
  const date = new Date();
  const stamp = date.toISOString().replace(/:/g, '').replace(/\..*$/, 'Z');
  const runId = date.getTime().toString(36);
  const pgVersion = await withClient(pgConfig(o, 'postgres'), async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  const report: Report = {
    meta: {
      date: date.toISOString(),
      machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL, Kafka, registry and the connector on one host`,
      versions: `PostgreSQL ${pgVersion}, Kafka ${pomVersion('scripts/stack/pom.xml', 'kafka')}, Apicurio ${pomVersion('scripts/stack/pom.xml', 'apicurio')}, Node ${process.version}, Debezium ${pomVersion('scripts/bench/debezium/pom.xml', 'debezium')} on Kafka Connect ${pomVersion('scripts/bench/debezium/pom.xml', 'connect')} (${sh('java -version 2>&1 | head -n1')})`,
      commit: `${sh('git rev-parse --short HEAD') || 'unknown'}${sh('git status --porcelain -- src') ? ' (+ uncommitted changes in src/)' : ''}`,
      scale: o.scale,
      noisy: false,
      options: { ...o, pg: { ...o.pg, password: undefined } },
    },
    workloads: [],
    sink: null,
  };
  const kafka = new BenchKafka(o);
  await kafka.connect();
  const ctx = { o, kafka, runId };
  const sink: { result: SinkLimitResult | null } = { result: null };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('SIGINT: finishing the current workload, then writing the report');
  });
  let failed = false;
  try {
    for (const id of o.workloads) {
      if (interrupted) break;
      let w: WorkloadReport;
      try {
        w = id === 'a' || id === 'b' ? await runStreaming(ctx, id, sink) : id === 'c' ? await runSteady(ctx) : await runSnapshot(ctx);
      } catch (err) {
        failed = true;
        log(`workload ${id} failed: ${(err as Error).stack ?? err}`);
        continue;
      }
      report.workloads.push(w);
      report.sink = sink.result;
      for (const s of systemsIn(w)) if (s.drain.status !== 'ok') failed = true;
    }
  } finally {
    await kafka.cleanup([PGCDC_OFFSET_TOPIC, ...PGCDC_CONFIG_TOPICS]);
    await kafka.disconnect();
  }
  report.meta.noisy = report.workloads.some((w) => systemsIn(w).some((s) => s.busyBefore > 0.25));
  if (report.workloads.length === 0) return 1;
  const files = writeReport(o.outDir, stamp, report);
  console.log(`\n${markdown(report)}`);
  if (o.profile) {
    for (const w of report.workloads) {
      for (const system of ['pgcdc', 'pgcdc-eos']) {
        const dir = join(o.outDir, `prof-${runId}-${w.id}-${system}`);
        const prof = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
        if (prof) printProfile(join(dir, prof), 15);
      }
    }
  }
  console.log(`results: ${files.md}, ${files.json} (${fmtInt(report.workloads.length)} workloads)`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(1);
  },
);
