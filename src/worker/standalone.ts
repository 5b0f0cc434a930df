import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { formatConfigIssues, resolveConfigProviders, validateConnectorConfig } from '../config/index.js';
import { Connector } from '../connector/connector.js';
import { openKafka } from '../kafka/client.js';
import { KAFKA_SECURITY_KEYS, kafkaSecurityFrom, type KafkaSecurity } from '../kafka/security.js';
import { KafkaOffsetStore } from '../offsets/offset-store.js';
import { Shutdown } from './shutdown.js';
import { untilSafeToStop } from './stop-guard.js';
import { envName, unusedWorkerPropertiesWarning, workerKafkaProperties } from './worker-properties.js';

export interface WorkerSettings {
  kafkaBrokers: string[];
  /** security.protocol, sasl.*, ssl.*: applied to every Kafka client the worker creates. */
  kafkaSecurity: KafkaSecurity;
  offsetTopic: string;
  /** PGCDC_WORKER_PROPERTIES keys pgcdc does not use (group.id, key.converter, ...): warned about once at start. */
  unusedProperties: string[];
  /**
   * exactly.once.source.support=enabled (Kafka Connect's worker key): every connector that does not
   * say exactly.once.support=required itself runs exactly-once too, with the poll boundary.
   */
  exactlyOnceSourceSupport: boolean;
}

const EXACTLY_ONCE_KEY = 'exactly.once.source.support';

/** disabled (default) or enabled; Connect's `preparing` is a rolling-upgrade step of its distributed mode, refused. */
function exactlyOnceFrom(props: Map<string, string>, problems: string[]): boolean {
  const v = (props.get(EXACTLY_ONCE_KEY) ?? 'disabled').trim().toLowerCase();
  if (v === 'enabled') return true;
  if (v !== 'disabled') problems.push(`${EXACTLY_ONCE_KEY}=${JSON.stringify(v)} must be disabled or enabled (PGCDC_WORKER_PROPERTIES or ${envName(EXACTLY_ONCE_KEY)})`);
  return false;
}

/** Problems (naming the key, never a secret value) are added to `problems`. */
export function workerSettingsFromEnv(env: NodeJS.ProcessEnv, problems: string[]): WorkerSettings {
  const unusedProperties: string[] = [];
  const props = workerKafkaProperties(env, [...KAFKA_SECURITY_KEYS, EXACTLY_ONCE_KEY], problems, unusedProperties);
  const exactlyOnceSourceSupport = exactlyOnceFrom(props, problems);
  props.delete(EXACTLY_ONCE_KEY);
  const { brokers, security } = kafkaSecurityFrom(props, problems);
  return { kafkaBrokers: brokers, kafkaSecurity: security, offsetTopic: env.PGCDC_OFFSET_TOPIC ?? 'pgcdc-offsets', unusedProperties, exactlyOnceSourceSupport };
}

/** The one start-up warning naming the worker properties file's keys pgcdc does not use (if any). */
export function warnUnusedProperties(settings: Pick<WorkerSettings, 'unusedProperties'>, log: Pick<Logger, 'warn'>): void {
  const warning = unusedWorkerPropertiesWarning(settings.unusedProperties);
  if (warning) log.warn({ keys: settings.unusedProperties }, warning);
}

/** Reads a connector definition: a POST /connectors body, `{ "name": ..., "config": { ... } }`. */
export function readConnectorDefinition(path: string): Record<string, unknown> {
  const body = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; config?: Record<string, unknown> };
  if (!body.config || typeof body.config !== 'object') throw new Error(`${path}: expected {"name": ..., "config": {...}}`);
  return { ...body.config, name: body.name ?? body.config.name };
}

/**
 * Standalone mode: runs the given connectors in this process until SIGINT/SIGTERM, then stops them
 * gracefully (drain, store offsets, confirm) and exits 0.
 */
export async function runStandalone(files: string[], settings: WorkerSettings, log: Logger): Promise<void> {
  const connectors: Connector[] = [];
  // Installed first; a signal stops at once what has started (Connector.start() can wait on retries
  // indefinitely, so start-up is not held), and no further connector starts.
  const shutdown = new Shutdown(log, { timeoutMs: shutdownTimeoutFromEnv(), what: 'connectors', exitCode: () => (connectors.some((c) => c.state === 'FAILED') ? 1 : 0) });
  shutdown.release();
  const kafka = openKafka({ clientId: 'pgcdc', brokers: settings.kafkaBrokers, security: settings.kafkaSecurity });
  const offsetStore = new KafkaOffsetStore(kafka, settings.offsetTopic);
  for (const file of files) {
    const resolved = await resolveConfigProviders(readConnectorDefinition(file));
    const result = resolved.errors.length > 0 ? { errors: resolved.errors, config: undefined, warnings: [] } : validateConnectorConfig(resolved.config);
    if (!result.config) throw new Error(`${file}: invalid connector configuration:\n${formatConfigIssues(result.errors)}`);
    for (const w of result.warnings) log.warn({ file, key: w.key }, w.message);
    connectors.push(new Connector(result.config, { kafka, offsetStore, log, brokers: settings.kafkaBrokers, exactlyOnceSourceSupport: settings.exactlyOnceSourceSupport }));
  }
  shutdown.add('offset store', () => offsetStore.stop());
  if (shutdown.requested) return;
  await offsetStore.start();
  const started: Connector[] = [];
  shutdown.add('connectors', () => Promise.all(started.map(async (c) => {
    await untilSafeToStop(c);
    await c.stop();
  })));
  for (const c of connectors) {
    if (shutdown.requested) return;
    started.push(c);
    await c.start();
  }
}

/** PGCDC_SHUTDOWN_TIMEOUT_MS also bounds standalone mode's drain (default 30 s). */
function shutdownTimeoutFromEnv(env = process.env): number {
  const text = env.PGCDC_SHUTDOWN_TIMEOUT_MS;
  const n = text ? Number(text) : 30_000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`PGCDC_SHUTDOWN_TIMEOUT_MS=${JSON.stringify(text)} must be a positive integer`);
  return n;
}
