/** What a connector does when a table's shape changes (src/schema-changes). */
import { keysIn, type ConfigKey, type ConfigValue, type ParsedValues } from './definition.js';

const sc = keysIn('Schema changes');

export const SCHEMA_CHANGE_POLICIES = ['pause', 'fail', 'allow'] as const;
export type SchemaChangePolicy = (typeof SCHEMA_CHANGE_POLICIES)[number];

/** The schema-change topic when schema.change.topic.name is empty. */
export const defaultSchemaChangeTopic = (prefix: string) => `${prefix}.schema-changes`;

function changeTopicProblem(v: ConfigValue, all: ParsedValues): string | undefined {
  if (v === null || v === '') return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(v)) return 'must be a valid Kafka topic name';
  const prefix = all['topic.prefix'];
  if (typeof prefix === 'string' && v.startsWith(`${prefix}.`) && v.slice(prefix.length + 1).includes('.')) {
    return `must not have the form <topic.prefix>.<schema>.<table> (${prefix}.*.*), which change topics use`;
  }
  return undefined;
}

export const schemaChangeKeys: ConfigKey[] = [
  sc('schema.change.policy', 'STRING', 'pause', 'MEDIUM', 'Schema change policy',
    'What a breaking table change (by pgcdc\'s classification or the registry\'s compatibility verdict) does while streaming. Additive changes are registered and stream on under every policy. pause: delivery stops before the first change with the new shape, the connector is PAUSED with the change pending until an operator approves it or skips the table (REST /connectors/{name}/schema-changes); fail: the connector goes FAILED naming the change, nothing of the new shape delivered; allow: no classification, whatever the registry accepts is registered (a version it rejects fails the connector).',
    { allowed: SCHEMA_CHANGE_POLICIES }),
  // Debezium's include.schema.changes is excluded from its PostgreSQL connector (pgoutput sends no DDL),
  // so pgcdc's own keys name this topic.
  sc('schema.change.topic.enabled', 'BOOLEAN', false, 'LOW', 'Schema-change topic',
    'Write one record per detected table change (additive, breaking, and each decision taken on it) to schema.change.topic.name, keyed by table, Avro through the registry, before any event with the new shape.'),
  sc('schema.change.topic.name', 'STRING', '', 'LOW', 'Schema-change topic name',
    'Topic of the schema-change records; empty: <topic.prefix>.schema-changes.',
    { validate: changeTopicProblem }),
  sc('schema.change.breaking.topic.versioning', 'BOOLEAN', false, 'LOW', 'Versioned topics on approve',
    'true: approving a breaking change moves the table\'s events to a new topic <topic>.v<N> (N = 2, 3, ...) whose subjects start with the new schema, so no compatibility override is needed; false: the new version is registered on the same topic with a one-time compatibility override.'),
];
