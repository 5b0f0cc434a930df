/**
 * `pgcdc worker`: one process hosting connectors behind the REST API, until SIGTERM/SIGINT.
 * Start-up: settings → offset store → config store (stored connectors start at their target
 * state) → --load files → REST listener. Shutdown: stop taking requests, stop every connector
 * gracefully (drain, store offsets, confirm the LSN, close replication), exit 0; exit 1 if that
 * takes longer than the shutdown timeout.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaOffsetStore } from '../offsets/offset-store.js';
import { buildRestServer } from '../rest/server.js';
import { FileConfigStore, KafkaConfigStore, type ConfigStore } from './config-store.js';
import type { WorkerProcessSettings } from './settings.js';
import { readConnectorDefinition } from './standalone.js';
import { checkName, configToStore, prepareConfig } from './validation.js';
import { Worker } from './worker.js';

interface Definition {
  file: string;
  name: string;
  config: Record<string, unknown>;
}

/** A --load argument may name a file or a directory (its *.json files, in name order). */
function expand(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (!existsSync(path) || !statSync(path).isDirectory()) return [path];
    return readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f));
  });
}

/** Reads and validates every --load file before anything starts, reporting all problems together. */
async function readDefinitions(paths: string[]): Promise<Definition[]> {
  const problems: string[] = [];
  const definitions: Definition[] = [];
  for (const file of expand(paths)) {
    try {
      const config = readConnectorDefinition(file);
      const name = config.name;
      checkName(name);
      const prepared = await prepareConfig(configToStore(name, config));
      if (prepared.errors.length > 0) problems.push(`${file}: invalid connector configuration:\n${prepared.errors.map((e) => `    - ${e.message}`).join('\n')}`);
      else definitions.push({ file, name, config });
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(`cannot load connector files:\n${problems.join('\n')}`);
  return definitions;
}

export async function runWorker(settings: WorkerProcessSettings, loadFiles: string[], log: Logger): Promise<void> {
  const definitions = await readDefinitions(loadFiles);
  const kafka = new Kafka({ clientId: 'pgcdc-worker', brokers: settings.kafkaBrokers, logLevel: logLevel.WARN });
  const offsetStore = new KafkaOffsetStore(kafka, settings.offsetTopic);
  await offsetStore.start();
  const configStore: ConfigStore = settings.configFile ? new FileConfigStore(settings.configFile) : new KafkaConfigStore(kafka, settings.configTopic);
  const worker = new Worker({ kafka, offsetStore, configStore, log, workerId: settings.workerId });
  await worker.open();
  // Files first, so a connector whose file changed starts once, with the new config.
  for (const d of definitions) {
    const outcome = await worker.load(d.name, d.config);
    log.info({ connector: d.name, file: d.file, outcome }, 'connector file loaded');
  }
  await worker.startConnectors();

  const app = buildRestServer(worker, settings, log);
  await app.listen({ host: settings.restHost, port: settings.restPort });
  log.info(
    { url: `${settings.tls ? 'https' : 'http'}://${settings.workerId}`, workerId: settings.workerId, configStore: configStore.description, connectors: worker.names().length },
    'pgcdc worker started',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, timeoutMs: settings.shutdownTimeoutMs }, 'stopping the worker: draining connectors');
    const timer = setTimeout(() => {
      const message = `pgcdc worker: connectors did not stop within ${settings.shutdownTimeoutMs} ms after ${signal}; exiting without a complete drain (offsets stored so far are kept, so the next start repeats at most the undrained events)`;
      log.error({ signal, timeoutMs: settings.shutdownTimeoutMs }, message);
      process.stderr.write(`${message}\n`, () => process.exit(1));
    }, settings.shutdownTimeoutMs);
    try {
      await app.close();
      await worker.shutdown();
      await offsetStore.stop();
      await configStore.close();
      clearTimeout(timer);
      log.info('pgcdc worker stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'error while stopping the worker');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
