/** What a connector does when a table's shape changes (src/schema-changes). */
import { keysIn, type ConfigKey } from './definition.js';

const sc = keysIn('Schema changes');

export const SCHEMA_CHANGE_POLICIES = ['pause', 'fail', 'allow'] as const;
export type SchemaChangePolicy = (typeof SCHEMA_CHANGE_POLICIES)[number];

export const schemaChangeKeys: ConfigKey[] = [
  sc('schema.change.policy', 'STRING', 'pause', 'MEDIUM', 'Schema change policy',
    'What a breaking table change (by pgcdc\'s classification or the registry\'s compatibility verdict) does while streaming. Additive changes are registered and stream on under every policy. pause: delivery stops before the first change with the new shape, the connector is PAUSED with the change pending until an operator approves it or skips the table (REST /connectors/{name}/schema-changes); fail: the connector goes FAILED naming the change, nothing of the new shape delivered; allow: no classification, whatever the registry accepts is registered (a version it rejects fails the connector).',
    { allowed: SCHEMA_CHANGE_POLICIES }),
];
