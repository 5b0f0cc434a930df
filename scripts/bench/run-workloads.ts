/**
 * The four workloads of issue 8, each run for the selected systems and limits on the same data:
 * (a)/(b) drain WAL written before any reader starts, (c) a steady write rate with latencies,
 * (d) an initial snapshot. Every workload leaves no database, slot, topic or subject behind.
 */
import { readCommitTimes } from './commit-times.js';
import { fmtInt, log, sleep } from './common.js';
import { dropDatabase, pgConfig, prepareStreaming, SLOTS, dropSlot } from './database.js';
import type { SystemResult, WorkloadReport } from './report.js';
import { runSystem, topicOf, type RunContext, type System } from './run-system.js';
import { producerPerformance } from './sink-limit.js';
import type { SinkLimitResult } from './sink-limit.js';
import { buildSnapshotTable } from './snapshot-table.js';
import { copyLimit, recvlogicalLimit } from './source-limit.js';
import { STEADY_TX_ROWS, WARMUP_ID_BASE, latencyOf, writeSteady, type SteadyLoad } from './steady-load.js';
import { writeStreamingWorkload } from './workloads.js';

const systemsOf = (ctx: RunContext): System[] => ctx.o.systems.filter((s): s is System => s !== 'limits');

async function cleanupWorkload(ctx: RunContext): Promise<void> {
  await dropDatabase(ctx.o).catch((err) => log(`WARNING: dropping the benchmark database: ${(err as Error).message}`));
  const ours = (await ctx.kafka.admin.listTopics().catch((): string[] => [])).filter((t) => t.includes(`_${ctx.runId}_`));
  await ctx.kafka.cleanup(ours);
}

export async function runStreaming(ctx: RunContext, id: 'a' | 'b', sink: { result: SinkLimitResult | null }): Promise<WorkloadReport> {
  const { o } = ctx;
  try {
    log(`workload ${id}: writing ${fmtInt(o.changes)} changes`);
    const w = await writeStreamingWorkload(o, id);
    log(`  written in ${w.writeSeconds} s: ${fmtInt(w.walBytes / 1048576)} MB of WAL, ${w.records.toLocaleString('en-US')} Kafka records expected`);
    const report: WorkloadReport = { id, title: w.title, unit: 'row changes per second (tombstones are extra records)', details: { ...w, events: w.changes } };
    if (o.systems.includes('limits')) {
      report.source = await recvlogicalLimit(o, w.changes, w.endLsn);
      log(`  pg_recvlogical: ${report.source.seconds} s, ${fmtInt(report.source.perS)} changes/s`);
      await dropSlot(o, SLOTS.recvlogical); // its WAL need not be kept for the others
    }
    for (const system of systemsOf(ctx)) {
      const r = await runSystem(ctx, system, { workload: id, expected: w.records, snapshotMode: 'no_data' });
      // rates count row changes: the drain's records include one tombstone per delete
      r.drain.recordsPerS = Math.round((r.drain.recordsPerS * w.changes) / w.records);
      report[system] = r;
    }
    if (o.systems.includes('limits') && !sink.result) {
      const bytes = report.pgcdc?.recordBytes ?? report['pgcdc-eos']?.recordBytes ?? report.debezium?.recordBytes;
      sink.result = await producerPerformance(o, ctx.kafka, w.records, bytes ? bytes.key + bytes.value : 150);
      log(`  ProducerPerformance: ${fmtInt(sink.result.perS)} records/s of ${sink.result.recordBytes} bytes`);
    }
    return report;
  } finally {
    await cleanupWorkload(ctx);
  }
}

export async function runSteady(ctx: RunContext): Promise<WorkloadReport> {
  const { o } = ctx;
  const txOf = (seconds: number) => Math.max(1, Math.round((o.steadyRate * seconds) / STEADY_TX_ROWS));
  const warmup = txOf(o.warmupSeconds) * STEADY_TX_ROWS;
  const expected = warmup + txOf(o.steadySeconds) * STEADY_TX_ROWS;
  const report: WorkloadReport = {
    id: 'c',
    title: `${fmtInt(o.steadyRate)} inserts/s in ${STEADY_TX_ROWS}-row transactions for ${o.steadySeconds} s after ${o.warmupSeconds} s of unmeasured warm-up at the same rate; latency = broker LogAppendTime − COMMIT acknowledged to the writer${o.systems.includes('pgcdc-eos') ? ' (pgcdc-eos: to the commit marker of the Kafka transaction holding the record, when a read_committed consumer can read it)' : ''}`,
    unit: 'the write rate (latency is the figure)',
    details: { rate: o.steadyRate, seconds: o.steadySeconds, warmupSeconds: o.warmupSeconds, events: expected - warmup },
  };
  try {
    for (const system of systemsOf(ctx)) {
      await prepareStreaming(o, [system]);
      let load: SteadyLoad | null = null;
      const r: SystemResult = await runSystem(ctx, system, {
        workload: 'c',
        expected,
        snapshotMode: 'no_data',
        logAppendTime: true,
        onRunning: async () => {
          // measured only once the warm-up is in Kafka: JIT, schema registration and topic metadata are behind
          await writeSteady(pgConfig(o), o.steadyRate, o.warmupSeconds, WARMUP_ID_BASE);
          const topic = topicOf(ctx, 'c', system);
          const deadline = Date.now() + o.timeoutS * 1000;
          while ((await ctx.kafka.count(topic)) < warmup) {
            if (Date.now() > deadline) throw new Error(`${system} did not deliver the warm-up of workload c within ${o.timeoutS} s`);
            await sleep(100);
          }
          load = await writeSteady(pgConfig(o), o.steadyRate, o.steadySeconds);
        },
      });
      const steady = load as SteadyLoad | null;
      if (steady && r.drain.status === 'ok') {
        const records: { key: Buffer; timestamp: number }[] = [];
        if (system === 'pgcdc-eos') {
          // readable once the transaction committed: latency to its commit marker (and, as pgcdc's, to the record)
          const read = await readCommitTimes(ctx.kafka.connection, topicOf(ctx, 'c', system), expected);
          for (const x of read) if (x.key) records.push({ key: x.key, timestamp: x.committedAt });
          r.appendLatency = latencyOf(steady, read.flatMap((x) => (x.key ? [{ key: x.key, timestamp: x.timestamp }] : [])));
          log(`  ${system} latency ms to the records' own timestamps: p50 ${r.appendLatency.p50}, p95 ${r.appendLatency.p95}, p99 ${r.appendLatency.p99}`);
        } else await ctx.kafka.consume(topicOf(ctx, 'c', system), expected, (key, _v, timestamp) => key && records.push({ key, timestamp }));
        if (records.length < expected) log(`WARNING: read ${records.length} of ${expected} records back for latencies`);
        r.latency = latencyOf(steady, records);
        log(`  ${system} latency ms: p50 ${r.latency.p50}, p95 ${r.latency.p95}, p99 ${r.latency.p99}, max ${r.latency.max} (writer reached ${fmtInt(steady.achievedRate)}/s, ${steady.lateTransactions} late transactions)`);
        report.details[`${system}Writer`] = { achievedRate: steady.achievedRate, lateTransactions: steady.lateTransactions };
      }
      report[system] = r;
      await dropDatabase(o);
    }
    return report;
  } finally {
    await cleanupWorkload(ctx);
  }
}

export async function runSnapshot(ctx: RunContext): Promise<WorkloadReport> {
  const { o } = ctx;
  try {
    const table = await buildSnapshotTable(o);
    const report: WorkloadReport = {
      id: 'd',
      title: `initial snapshot of a ${fmtInt(table.rows)}-row table (${fmtInt(table.heapMb)} MB heap), snapshot.mode=initial_only; pgcdc snapshot.max.threads=${o.snapshotThreads}`,
      unit: 'rows per second (first → last record in Kafka)',
      details: { ...table, events: table.rows },
    };
    if (o.systems.includes('limits')) report.source = await copyLimit(o, table.rows);
    for (const system of systemsOf(ctx)) {
      report[system] = await runSystem(ctx, system, {
        workload: 'd',
        expected: table.rows,
        snapshotMode: 'initial_only',
        pgcdcExtra: { 'snapshot.max.threads': String(o.snapshotThreads) },
      });
    }
    return report;
  } finally {
    await cleanupWorkload(ctx);
  }
}
