/**
 * Worker process settings, read from the environment (a worker is configured by its operator, not
 * through the REST API). Problems are collected and reported together, like connector configs.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { providerPolicyFromEnv, type ProviderPolicy } from '../config/index.js';
import { workerSettingsFromEnv, type WorkerSettings } from './standalone.js';
import { workerKafkaProperties } from './worker-properties.js';
import { CLUSTER_KEYS, clusterSettingsFromEnv, type ClusterSettings } from '../cluster/cluster-settings.js';

/** Kafka Connect's worker keys for the shared topics (PGCDC_OFFSET_TOPIC / PGCDC_CONFIG_TOPIC win over them). */
const TOPIC_KEYS = ['offset.storage.topic', 'config.storage.topic'] as const;

export interface RestAuth {
  /** PGCDC_REST_TOKEN: accepted as `Authorization: Bearer <token>`. */
  token: string | null;
  /** PGCDC_REST_BASIC_AUTH=user:pass: accepted as `Authorization: Basic ...`. */
  basic: { user: string; password: string } | null;
}

export interface WorkerProcessSettings extends WorkerSettings {
  restHost: string;
  restPort: number;
  /** Compacted topic holding connector configs and target states (unless configFile is set). */
  configTopic: string;
  /** PGCDC_CONFIG_FILE: a local JSON file instead of the topic (single-machine standalone use). */
  configFile: string | null;
  auth: RestAuth;
  tls: { certFile: string; keyFile: string } | null;
  /** How long SIGTERM/SIGINT waits for connectors to drain before exiting 1. */
  shutdownTimeoutMs: number;
  maxBodyBytes: number;
  /** `host:port` as shown in status (`worker_id`), like Kafka Connect's advertised REST address. */
  workerId: string;
  /** PGCDC_REST_ALLOWED_HOSTS: Host header names accepted besides loopback ones (lower case, no port). */
  allowedHosts: string[];
  /** Config providers the operator enabled (PGCDC_CONFIG_PROVIDERS...); off by default. */
  providers: ProviderPolicy;
  /** group.id and its companions: this worker is a member of a cluster (null: standalone). */
  cluster: ClusterSettings | null;
  /** Set when the REST API listens beyond loopback with credentials but without TLS (logged at start). */
  plaintextCredentialsWarning: string | null;
}

export class SettingsError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}=${JSON.stringify(text)} must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

function authFrom(env: NodeJS.ProcessEnv, problems: string[]): RestAuth {
  const token = env.PGCDC_REST_TOKEN ? env.PGCDC_REST_TOKEN : null;
  let basic: RestAuth['basic'] = null;
  const pair = env.PGCDC_REST_BASIC_AUTH;
  if (pair) {
    const colon = pair.indexOf(':');
    // The value is a credential: the message must not repeat it.
    if (colon <= 0 || colon === pair.length - 1) problems.push('PGCDC_REST_BASIC_AUTH must be user:password (both non-empty)');
    else basic = { user: pair.slice(0, colon), password: pair.slice(colon + 1) };
  }
  return { token, basic };
}

/** Reads and checks the worker settings; throws SettingsError listing every problem. */
export function workerProcessSettings(env: NodeJS.ProcessEnv = process.env): WorkerProcessSettings {
  const problems: string[] = [];
  const base = workerSettingsFromEnv(env, problems);
  const restHost = env.PGCDC_REST_HOST || '127.0.0.1';
  const restPort = intSetting(env, 'PGCDC_REST_PORT', 8083, 1, 65535, problems);
  const auth = authFrom(env, problems);
  if (!isLoopback(restHost) && !auth.token && !auth.basic && !problems.some((p) => p.startsWith('PGCDC_REST_BASIC_AUTH'))) {
    problems.push(
      `PGCDC_REST_HOST=${restHost} is not a loopback address, and the REST API has no authentication: ` +
        'set PGCDC_REST_TOKEN or PGCDC_REST_BASIC_AUTH=user:password (and PGCDC_REST_TLS_CERT/PGCDC_REST_TLS_KEY), or bind to 127.0.0.1',
    );
  }
  if (restHost !== 'localhost' && !isIP(restHost) && !/^[A-Za-z0-9.-]+$/.test(restHost)) problems.push(`PGCDC_REST_HOST=${JSON.stringify(restHost)} is not a host name or IP address`);

  let tls: WorkerProcessSettings['tls'] = null;
  const certFile = env.PGCDC_REST_TLS_CERT;
  const keyFile = env.PGCDC_REST_TLS_KEY;
  if (certFile || keyFile) {
    if (!certFile || !keyFile) problems.push('PGCDC_REST_TLS_CERT and PGCDC_REST_TLS_KEY must be set together');
    else {
      for (const [name, file] of [['PGCDC_REST_TLS_CERT', certFile], ['PGCDC_REST_TLS_KEY', keyFile]] as const) {
        if (!existsSync(file)) problems.push(`${name}: file ${file} does not exist`);
      }
      tls = { certFile, keyFile };
    }
  }
  const allowedHosts = (env.PGCDC_REST_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  for (const h of allowedHosts) if (!/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(h)) problems.push(`PGCDC_REST_ALLOWED_HOSTS: ${JSON.stringify(h)} is not a host name (give names without port, IPv6 in [brackets])`);
  const providers = providerPolicyFromEnv(env, problems);
  const secured = Boolean(auth.token || auth.basic);
  const cluster = clusterSettingsFromEnv(env, { host: restHost, port: restPort, tls: tls !== null }, problems);
  const topics = workerKafkaProperties(env, TOPIC_KEYS, []);
  if (cluster && env.PGCDC_CONFIG_FILE) problems.push('PGCDC_CONFIG_FILE: a worker cluster (group.id) keeps connector configs in the shared config topic; unset PGCDC_CONFIG_FILE');
  const handled = new Set<string>([...CLUSTER_KEYS, ...TOPIC_KEYS]);
  const settings: WorkerProcessSettings = {
    ...base,
    unusedProperties: base.unusedProperties.filter((k) => !handled.has(k)),
    offsetTopic: env.PGCDC_OFFSET_TOPIC || topics.get('offset.storage.topic') || base.offsetTopic,
    cluster,
    restHost,
    restPort,
    configTopic: env.PGCDC_CONFIG_TOPIC || topics.get('config.storage.topic') || 'pgcdc-configs',
    configFile: env.PGCDC_CONFIG_FILE || null,
    auth,
    tls,
    shutdownTimeoutMs: intSetting(env, 'PGCDC_SHUTDOWN_TIMEOUT_MS', 30_000, 1, 3_600_000, problems),
    maxBodyBytes: intSetting(env, 'PGCDC_REST_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024, problems),
    workerId: cluster?.advertisedId ?? `${restHost.includes(':') ? `[${restHost}]` : restHost}:${restPort}`,
    allowedHosts,
    providers,
    plaintextCredentialsWarning: secured && !tls && !isLoopback(restHost)
      ? `the REST API listens on ${restHost}, beyond loopback, with authentication but without TLS: tokens and passwords cross the network in clear; set PGCDC_REST_TLS_CERT and PGCDC_REST_TLS_KEY`
      : null,
  };
  if (problems.length > 0) throw new SettingsError(`invalid worker settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return settings;
}

/** The environment variables a worker reads, for --help. */
export const WORKER_ENV_HELP = `Worker environment:
  PGCDC_REST_HOST (127.0.0.1)        REST bind address; a non-loopback address requires authentication
  PGCDC_REST_PORT (8083)             REST port
  PGCDC_REST_TOKEN                   require "Authorization: Bearer <token>"
  PGCDC_REST_BASIC_AUTH              require HTTP basic authentication, as user:password
  PGCDC_REST_TLS_CERT/_KEY           serve HTTPS with these PEM files
  PGCDC_REST_MAX_BODY_BYTES (1 MiB)  largest accepted request body
  PGCDC_REST_ALLOWED_HOSTS           Host header names accepted besides localhost, 127.0.0.1, [::1]
                                     (comma-separated; others get 421, against DNS rebinding)
  PGCDC_CONFIG_PROVIDERS (none)      config providers connector configs may use: file, env (Kafka's
                                     config.providers); only in secret keys such as database.password
  PGCDC_CONFIG_PROVIDERS_FILE_PARAM_ALLOWED_PATHS
                                     required with file: comma-separated directories/files it may read
  PGCDC_CONFIG_PROVIDERS_ENV_PARAM_ALLOWLIST_PATTERN
                                     required with env: regex of the variable names it may read
  PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS
                                     directories where connectors may have OpenLineage events written
                                     (openlineage.integration.transport.file.location); unset: no file transport
  PGCDC_KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092)
                                     Kafka brokers (alias: PGCDC_KAFKA_BROKERS)
  PGCDC_WORKER_PROPERTIES            Kafka Connect worker properties file: bootstrap.servers,
                                     security.protocol, sasl.*, ssl.* (PEM); see README
  PGCDC_KAFKA_<KEY>                  any of those keys, upper case with _ for dots
                                     (e.g. PGCDC_KAFKA_SECURITY_PROTOCOL); overrides the file
  PGCDC_OFFSET_TOPIC (pgcdc-offsets) compacted topic of connector offsets
  PGCDC_CONFIG_TOPIC (pgcdc-configs) compacted topic of connector configs and target states
  PGCDC_CONFIG_FILE                  keep connector configs in this local JSON file instead of the topic
  PGCDC_KAFKA_GROUP_ID               group.id: workers with the same one form a cluster (shared config and
                                     offset topics; every connector runs on one live worker); see README
  PGCDC_KAFKA_SESSION_TIMEOUT_MS (10000), _HEARTBEAT_INTERVAL_MS (3000), _REBALANCE_TIMEOUT_MS (60000)
  PGCDC_KAFKA_REST_ADVERTISED_HOST_NAME/_PORT/_LISTENER
                                     where the other workers of the cluster reach this one
  PGCDC_SHUTDOWN_TIMEOUT_MS (30000)  SIGTERM/SIGINT: time allowed to drain before exiting 1
  PGCDC_EXIT_ON_UNHANDLED (0)        1: exit 70 on an unhandled error or rejection (logged as fatal either way)
  PGCDC_LOG_LEVEL (info)`;
