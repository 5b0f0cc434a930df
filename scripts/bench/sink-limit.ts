/**
 * Sink limit: how fast this broker takes records of the events' size from one producer, measured by
 * Kafka's own tool (org.apache.kafka.tools.ProducerPerformance from the stack's Kafka jars), acks=all
 * and the producer settings Debezium runs with.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, log, mb, now, readProc, round, sleep, waitExit } from './common.js';
import type { BenchKafka } from './kafka-topics.js';
import type { BenchOptions } from './options.js';
import type { LimitResult } from './source-limit.js';

export interface SinkLimitResult extends LimitResult {
  recordBytes: number;
  latencyMs: { avg: number; p50: number; p95: number; p99: number } | null;
}

function kafkaLib(): string {
  const pom = readFileSync(join(ROOT, 'scripts/stack/pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  const lib = join(ROOT, '.stack/cache', `kafka-${version}`, 'lib');
  if (!existsSync(join(lib, `kafka-tools-${version}.jar`))) throw new Error(`${lib} has no kafka-tools jar; run scripts/stack.sh start once to fetch Kafka`);
  return lib;
}

export async function producerPerformance(o: BenchOptions, kafka: BenchKafka, records: number, recordBytes: number): Promise<SinkLimitResult> {
  const topic = `pgcdc_bench_sink_${Date.now().toString(36)}`;
  await kafka.createTopic(topic);
  const size = Math.max(1, Math.round(recordBytes));
  log(`ProducerPerformance: ${records.toLocaleString('en-US')} records of ${size} bytes into ${topic}`);
  const args = ['-Xmx512m', '-XX:+UseG1GC', '-cp', `${kafkaLib()}/*`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topic, '--num-records', String(records), '--record-size', String(size), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${o.brokers.join(',')}`, 'acks=all', 'linger.ms=10', 'batch.size=524288'];
  const t0 = now();
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = waitExit(child, o.timeoutS * 1000);
  let done = false;
  void exited.then(() => (done = true));
  let cpu: number | null = null;
  let hwm = 0;
  while (!done) {
    const p = readProc(child.pid);
    if (p) {
      cpu = p.cpuS;
      hwm = Math.max(hwm, p.hwmKb);
    }
    await Promise.race([sleep(100), exited]);
  }
  const r = await exited;
  const seconds = (now() - t0) / 1000;
  if (r.timedOut) child.kill('SIGKILL');
  // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P ms 50th, P ms 95th, P ms 99th, ..."
  const summary = out.split('\n').reverse().find((l) => / records sent, .* records\/sec/.test(l));
  if (r.code !== 0 || !summary) throw new Error(`ProducerPerformance failed (exit ${r.code}): ${out.trim().split('\n').slice(-5).join(' | ')}`);
  const num = (re: RegExp) => Number(re.exec(summary)?.[1] ?? NaN);
  return {
    tool: 'ProducerPerformance',
    seconds: round(seconds, 2),
    perS: Math.round(num(/([\d.]+) records\/sec/)),
    cpuS: cpu,
    peakRssMb: mb(hwm),
    serverCpuS: null,
    recordBytes: size,
    latencyMs: { avg: num(/([\d.]+) ms avg latency/), p50: num(/(\d+) ms 50th/), p95: num(/(\d+) ms 95th/), p99: num(/(\d+) ms 99th/) },
  };
}
