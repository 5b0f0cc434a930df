/**
 * The worker keys of Kafka Connect's distributed mode that pgcdc reads (from PGCDC_WORKER_PROPERTIES
 * or PGCDC_KAFKA_<KEY>): `group.id` makes the worker a member of a cluster; the others shape it.
 * Without `group.id` a worker is standalone and the other keys here are refused by name, since
 * they would do nothing.
 */
import { envName, workerKafkaProperties } from '../worker/worker-properties.js';

export interface ClusterSettings {
  groupId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** base URL the other workers forward requests to (rest.advertised.*), e.g. http://10.0.0.5:8083 */
  advertisedUrl: string;
  /** host:port of that URL: the worker_id shown in status */
  advertisedId: string;
  /** status.storage.topic (PGCDC_STATUS_TOPIC wins): the connectors' states as their workers report them */
  statusTopic: string;
}

export const CLUSTER_KEYS = ['group.id', 'status.storage.topic', 'session.timeout.ms', 'heartbeat.interval.ms', 'rebalance.timeout.ms', 'rest.advertised.host.name', 'rest.advertised.port', 'rest.advertised.listener'] as const;

/** Kafka Connect's defaults for distributed workers. */
const DEFAULTS = { 'session.timeout.ms': 10_000, 'heartbeat.interval.ms': 3_000, 'rebalance.timeout.ms': 60_000 };

function where(key: string): string {
  return `(PGCDC_WORKER_PROPERTIES or ${envName(key)})`;
}

function msSetting(props: Map<string, string>, key: keyof typeof DEFAULTS, min: number, max: number, problems: string[]): number {
  const text = props.get(key)?.trim();
  if (text === undefined || text === '') return DEFAULTS[key];
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${key}=${JSON.stringify(text)} must be an integer from ${min} to ${max} ${where(key)}`);
    return DEFAULTS[key];
  }
  return n;
}

/**
 * The cluster settings, or null for a standalone worker. `rest` is where this worker's REST API
 * listens (the advertised address defaults to it; a wildcard bind needs rest.advertised.host.name).
 */
export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv, rest: { host: string; port: number; tls: boolean }, problems: string[]): ClusterSettings | null {
  const props = workerKafkaProperties(env, CLUSTER_KEYS, []);
  const groupId = props.get('group.id')?.trim() ?? '';
  if (groupId === '') {
    const stray: string[] = CLUSTER_KEYS.filter((k) => k !== 'group.id' && props.has(k));
    if (env.PGCDC_STATUS_TOPIC) stray.push('PGCDC_STATUS_TOPIC');
    if (stray.length > 0) problems.push(`${stray.join(', ')}: only used by a worker cluster; set group.id too, or remove ${stray.length === 1 ? 'it' : 'them'} ${where('group.id')}`);
    return null;
  }
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(groupId)) problems.push(`group.id=${JSON.stringify(groupId)} must be 1-249 characters of letters, digits, '.', '_' and '-' ${where('group.id')}`);
  const sessionTimeoutMs = msSetting(props, 'session.timeout.ms', 1_000, 300_000, problems);
  const heartbeatIntervalMs = msSetting(props, 'heartbeat.interval.ms', 100, 100_000, problems);
  const rebalanceTimeoutMs = msSetting(props, 'rebalance.timeout.ms', 1_000, 3_600_000, problems);
  if (heartbeatIntervalMs >= sessionTimeoutMs) problems.push(`heartbeat.interval.ms (${heartbeatIntervalMs}) must be lower than session.timeout.ms (${sessionTimeoutMs}); a third of it is usual`);

  const listener = (props.get('rest.advertised.listener')?.trim().toLowerCase() || (rest.tls ? 'https' : 'http'));
  if (listener !== 'http' && listener !== 'https') problems.push(`rest.advertised.listener=${JSON.stringify(listener)} must be http or https ${where('rest.advertised.listener')}`);
  let host = props.get('rest.advertised.host.name')?.trim() || rest.host;
  if (host === '0.0.0.0' || host === '::') {
    problems.push(`group.id is set and the REST API binds to ${host}: set rest.advertised.host.name to the address the other workers reach this one at ${where('rest.advertised.host.name')}`);
    host = '127.0.0.1';
  } else if (!/^[A-Za-z0-9.-]+$|^[0-9a-fA-F:]+$/.test(host)) problems.push(`rest.advertised.host.name=${JSON.stringify(host)} is not a host name or IP address`);
  const portText = props.get('rest.advertised.port')?.trim();
  let port = rest.port;
  if (portText) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`rest.advertised.port=${JSON.stringify(portText)} must be a port number ${where('rest.advertised.port')}`);
      port = rest.port;
    }
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const statusTopic = env.PGCDC_STATUS_TOPIC || props.get('status.storage.topic')?.trim() || 'pgcdc-status';
  return { groupId, sessionTimeoutMs, heartbeatIntervalMs, rebalanceTimeoutMs, advertisedUrl: `${listener}://${hostPart}:${port}`, advertisedId: `${hostPart}:${port}`, statusTopic };
}
