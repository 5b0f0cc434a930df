/**
 * `pgcdc worker`: one process hosting connectors behind the REST API, until SIGTERM/SIGINT.
 * Start-up: settings → offset store → config store (stored connectors start at their target
 * state) → --load files → REST listener. Shutdown: stop taking requests, stop every connector
 * gracefully (drain, store offsets, confirm the LSN, close replication), exit 0; exit 1 if that
 * takes longer than the shutdown timeout.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openKafka } from '../kafka/client.js';
import type { Logger } from 'pino';
import { KafkaOffsetStore } from '../offsets/offset-store.js';
import { buildRestServer } from '../rest/server.js';
import type { LogLevels } from './log-levels.js';
import { FileConfigStore, KafkaConfigStore, type ConfigStore } from './config-store.js';
import type { WorkerProcessSettings } from './settings.js';
import { readConnectorDefinition } from './standalone.js';
import { checkName, configToStore, prepareConfig } from './validation.js';
import { Worker } from './worker.js';
import { Shutdown } from './shutdown.js';
import { ClusterMember } from '../cluster/cluster-member.js';

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

export async function runWorker(settings: WorkerProcessSettings, loadFiles: string[], log: Logger, levels: LogLevels): Promise<void> {
  if (settings.cluster && loadFiles.length > 0) throw new Error('--load is for a standalone worker: in a cluster (group.id), create connectors through the REST API of any worker');
  // First of all: a signal from here on stops whatever has started, cleanly (see Shutdown).
  const shutdown = new Shutdown(log, { timeoutMs: settings.shutdownTimeoutMs, what: 'worker' });
  const definitions = await readDefinitions(loadFiles);
  const connection = { clientId: 'pgcdc-worker', brokers: settings.kafkaBrokers, security: settings.kafkaSecurity };
  const kafka = openKafka(connection);
  const offsetStore = new KafkaOffsetStore(kafka, settings.offsetTopic);
  await offsetStore.start();
  shutdown.add('offset store', () => offsetStore.stop());
  if (shutdown.requested) return shutdown.release();
  const kafkaConfigStore = settings.configFile ? null : new KafkaConfigStore(kafka, settings.configTopic);
  const configStore: ConfigStore = kafkaConfigStore ?? new FileConfigStore(settings.configFile!);
  shutdown.add('config store', () => configStore.close());
  const member = settings.cluster && kafkaConfigStore ? new ClusterMember(settings.cluster, connection, kafka, kafkaConfigStore, log) : null;
  const worker = new Worker({ kafka, offsetStore, configStore, log, workerId: settings.workerId, brokers: settings.kafkaBrokers, exactlyOnceSourceSupport: settings.exactlyOnceSourceSupport, placement: member ?? undefined });
  await worker.open();
  // In a cluster the membership stops this worker's connectors (while its lease holds) and then leaves the group.
  shutdown.add(member ? 'group membership' : 'connectors', () => (member ? member.close() : worker.shutdown()));
  // Files first, so a connector whose file changed starts once, with the new config.
  for (const d of definitions) {
    if (shutdown.requested) return shutdown.release();
    const outcome = await worker.load(d.name, d.config);
    log.info({ connector: d.name, file: d.file, outcome }, 'connector file loaded');
  }
  if (shutdown.requested) return shutdown.release();
  if (!member) await worker.startConnectors();

  const app = buildRestServer(worker, settings, log, levels, member ?? undefined);
  shutdown.add('REST listener', () => app.close());
  if (shutdown.requested) return shutdown.release();
  await app.listen({ host: settings.restHost, port: settings.restPort });
  // The REST API listens first: once in the group, the other workers forward requests here.
  if (member) {
    shutdown.release();
    try {
      await member.start(worker);
    } catch (err) {
      if (shutdown.requested) return; // stopped while joining
      throw err;
    }
    log.info({ group: settings.cluster!.groupId, url: member.url, leader: member.isLeader, connectors: worker.names().filter((n) => worker.isLocal(n)) }, 'pgcdc worker joined its cluster');
  }
  log.info(
    { url: `${settings.tls ? 'https' : 'http'}://${settings.workerId}`, workerId: settings.workerId, configStore: configStore.description, connectors: worker.names().length, group: settings.cluster?.groupId },
    'pgcdc worker started',
  );
  shutdown.release();
}
