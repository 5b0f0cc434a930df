/**
 * OpenLineage run events (src/lineage). Debezium's keys where Debezium has them
 * (openlineage.integration.*); Debezium takes its transport from an openlineage.yml that
 * openlineage.integration.config.file.path names, which pgcdc refuses (keys-refused.ts): a path sent
 * over REST would let any API caller have the worker read files. The transport is set here instead.
 */
import { keysIn, rules, type ConfigKey, type ConfigValue, type ParsedValues } from './definition.js';
import { fileLocationProblem } from '../lineage/file-policy.js';

const ol = keysIn('Lineage');

export const LINEAGE_TRANSPORTS = ['http', 'file'] as const;
export type LineageTransportType = (typeof LINEAGE_TRANSPORTS)[number];

const ENABLED = 'openlineage.integration.enabled';
const TYPE = 'openlineage.integration.transport.type';

/** `a=b,c=d`: every item a non-empty name, `=`, a non-empty value. */
function pairList(what: string) {
  return (v: ConfigValue): string | undefined => {
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    const bad = v.split(',').map((s) => s.trim()).filter((item) => !/^[^=]+=[^=]+$/.test(item) || item.split('=').some((p) => p.trim() === ''));
    return bad.length ? `must be a comma-separated list of ${what} (bad: ${bad.map((b) => JSON.stringify(b)).join(', ')})` : undefined;
  };
}

/** Required by one transport, and refused with the other (never accepted and ignored); free while lineage is off. */
function requiredFor(type: LineageTransportType, check?: (v: ConfigValue) => string | undefined) {
  return (v: ConfigValue, all: ParsedValues): string | undefined => {
    const unset = v === null || v === '';
    if (all[ENABLED] === true && all[TYPE] === type && unset) return `is required when ${ENABLED}=true and ${TYPE}=${type}`;
    if (all[ENABLED] === true && all[TYPE] !== type && !unset) return `applies only to ${TYPE}=${type} (it is ${String(all[TYPE])}); remove it`;
    return unset ? undefined : check?.(v);
  };
}

export const lineageKeys: ConfigKey[] = [
  ol(ENABLED, 'BOOLEAN', false, 'LOW', 'OpenLineage events',
    'Emit OpenLineage run events (START, RUNNING, COMPLETE, FAIL) with the captured tables as input and their topics as output datasets.'),
  ol('openlineage.integration.job.namespace', 'STRING', null, 'LOW', 'Lineage job namespace', 'The job\'s namespace; default: topic.prefix.'),
  ol('openlineage.integration.job.description', 'STRING', null, 'LOW', 'Lineage job description', 'The job\'s documentation facet; default: "pgcdc CDC job for <topic.prefix>".'),
  ol('openlineage.integration.job.tags', 'STRING', null, 'LOW', 'Lineage job tags', 'Comma-separated key=value tags of the job (e.g. env=prod,team=data).',
    { validate: pairList('key=value tags') }),
  ol('openlineage.integration.job.owners', 'STRING', null, 'LOW', 'Lineage job owners', 'Comma-separated name=role owners of the job (e.g. Alice=maintainer).',
    { validate: pairList('name=role owners') }),
  ol('openlineage.integration.dataset.kafka.bootstrap.servers', 'STRING', null, 'LOW', 'Lineage Kafka address',
    'host:port naming the Kafka cluster in output dataset namespaces (kafka://host:port); default: the worker\'s first bootstrap server.'),
  ol(TYPE, 'STRING', 'http', 'LOW', 'Lineage transport', 'http: POST each event as JSON to transport.url + transport.endpoint; file: append one JSON line per event to transport.file.location.',
    { allowed: LINEAGE_TRANSPORTS }),
  ol('openlineage.integration.transport.url', 'STRING', null, 'LOW', 'Lineage URL', 'http(s) base URL of the OpenLineage receiver (e.g. Marquez at http://marquez:5000).',
    { validate: requiredFor('http', rules.httpUrl), width: 'LONG' }),
  ol('openlineage.integration.transport.endpoint', 'STRING', '/api/v1/lineage', 'LOW', 'Lineage endpoint', 'Path appended to transport.url.',
    { validate: (v) => (typeof v === 'string' && !v.startsWith('/') ? 'must start with "/"' : undefined) }),
  ol('openlineage.integration.transport.auth.token', 'PASSWORD', null, 'LOW', 'Lineage bearer token', 'Sent as "Authorization: Bearer <token>" (OpenLineage\'s api_key auth); a secret, never shown.',
    { validate: (v, all) => (all[ENABLED] === true && all[TYPE] !== 'http' && v !== null && v !== '' ? `applies only to ${TYPE}=http; remove it` : undefined) }),
  ol('openlineage.integration.transport.file.location', 'STRING', null, 'LOW', 'Lineage file',
    'File receiving one JSON event per line; must be inside a directory the worker\'s operator lists in PGCDC_OPENLINEAGE_FILE_ALLOWED_PATHS.',
    { validate: requiredFor('file', (v) => (typeof v === 'string' ? fileLocationProblem(v) : undefined)), width: 'LONG' }),
  ol('openlineage.integration.transport.timeout.ms', 'LONG', 5000, 'LOW', 'Lineage timeout (ms)', 'Each HTTP delivery attempt is cut off after this long.',
    { validate: rules.range(1) }),
];
