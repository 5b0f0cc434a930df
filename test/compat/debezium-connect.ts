import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fetchDebezium, isDebeziumDir, startConnectStandalone, type ConnectStandalone } from '../../scripts/bench/debezium/connect-standalone.js';
import type { TestServices } from '../harness/services.js';

/**
 * Debezium 3.7 (the reference) in Kafka Connect standalone for the compatibility suite, on the shared
 * broker and registry. The jars: PGCDC_TEST_DEBEZIUM_DIR when set, else scripts/bench/debezium/fetch.sh
 * (mvn, cached under $STACK_DIR/cache after the first run).
 */
export interface DebeziumConnect {
  connect: ConnectStandalone;
  restUrl: string;
  stop(): Promise<void>;
}

export function debeziumDir(): string {
  const override = process.env.PGCDC_TEST_DEBEZIUM_DIR;
  if (override) {
    if (!isDebeziumDir(override)) throw new Error(`PGCDC_TEST_DEBEZIUM_DIR=${override} has no lib/ and plugins/debezium-connector-postgres (see scripts/bench/debezium/fetch.sh)`);
    return override;
  }
  return fetchDebezium();
}

export function startDebeziumConnect(services: TestServices, restPort: number, connector: Record<string, string>): DebeziumConnect {
  const dir = debeziumDir();
  const artifacts = resolve('test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const connect = startConnectStandalone({
    dir,
    tmp: join(artifacts, 'compat-debezium'),
    logFile: join(artifacts, 'compat-debezium.log'),
    brokers: services.kafkaBrokers,
    registryUrl: services.registryUrl,
    restPort,
    connector,
  });
  const exited = new Promise<void>((done) => connect.child.once('exit', () => done()));
  return {
    connect,
    restUrl: `http://127.0.0.1:${restPort}`,
    stop: async () => {
      if (connect.child.exitCode !== null || connect.child.signalCode !== null) return;
      connect.child.kill('SIGTERM');
      const late = setTimeout(() => connect.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(late);
    },
  };
}

/** Waits until Connect reports the connector and its task RUNNING; throws on a failed task or an exit. */
export async function debeziumRunning(d: DebeziumConnect, name: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const failure = d.connect.failure();
    if (failure) throw new Error(`Debezium failed: ${failure} (log: ${d.connect.logFile})`);
    if (d.connect.child.exitCode !== null) throw new Error(`Kafka Connect exited with ${d.connect.child.exitCode} (log: ${d.connect.logFile})`);
    try {
      const res = await fetch(`${d.restUrl}/connectors/${name}/status`, { signal: AbortSignal.timeout(5_000) });
      last = await res.text();
      const s = JSON.parse(last);
      if (s.tasks?.[0]?.state === 'FAILED') throw new Error(`Debezium task FAILED: ${String(s.tasks[0].trace).slice(0, 2000)}`);
      if (s.connector?.state === 'RUNNING' && s.tasks?.[0]?.state === 'RUNNING') return;
    } catch (err) {
      if ((err as Error).message.startsWith('Debezium task FAILED')) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Debezium not RUNNING within ${timeoutMs} ms (last status ${last.slice(0, 500)}; log: ${d.connect.logFile})`);
}
