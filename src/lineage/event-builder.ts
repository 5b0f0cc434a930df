/**
 * OpenLineage run events in the shape Debezium's OpenLineage integration emits (debezium-openlineage:
 * OpenLineageEmitter, OpenLineageJobCreator): job `<namespace>` / `<topic.prefix>.0` with the
 * documentation, job type, ownership and tags facets; run facets processing_engine and
 * debezium_config (the connector's config, secrets hidden) and errorMessage on FAIL; input datasets
 * `postgres://host:port` / `db.schema.table` (columns with PostgreSQL type names), output datasets
 * `kafka://host:port` / topic (the registered value schema). Pure: no clock, no I/O.
 */
import { redactConfig } from '../config/secrets.js';
import type { LineageField } from './schema-fields.js';

export const SPEC_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
const FACETS = 'https://openlineage.io/spec/facets';
/** Debezium's schema URL for its debezium_config run facet (same facet, same shape). */
const DEBEZIUM_CONFIG_FACET_URL = 'https://github.com/debezium/debezium/tree/main/debezium-openlineage/src/main/java/io/debezium/openlineage/facets/spec/DebeziumRunFacet.json';

export type RunEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL';

export interface LineageJob {
  namespace: string;
  /** topic.prefix: the job is named `<topic.prefix>.0` (one task) */
  topicPrefix: string;
  description: string;
  tags: readonly [string, string][];
  owners: readonly [string, string][];
}

export interface DatasetSpec {
  namespace: string;
  name: string;
  fields: LineageField[];
}

export interface RunEventInput {
  eventType: RunEventType;
  eventTime: Date;
  runId: string;
  job: LineageJob;
  /** the producer URI and engine version */
  producer: string;
  version: string;
  /** the connector's config as given (secrets are hidden here) */
  config: Readonly<Record<string, unknown>>;
  inputs?: readonly DatasetSpec[];
  outputs?: readonly DatasetSpec[];
  /** FAIL: the failure, already free of secrets */
  error?: string;
}

export function producerUri(version: string): string {
  return `urn:pgcdc:${version}`;
}

export function inputNamespace(host: string, port: number): string {
  return `postgres://${host}:${port}`;
}

export function inputName(dbname: string, schema: string, table: string): string {
  return `${dbname}.${schema}.${table}`;
}

export function kafkaNamespace(address: string): string {
  return `kafka://${address}`;
}

export function buildRunEvent(e: RunEventInput): Record<string, unknown> {
  const facet = (path: string) => ({ _producer: e.producer, _schemaURL: `${FACETS}/${path}` });
  const jobFacets: Record<string, unknown> = {
    documentation: { ...facet('1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet'), description: e.job.description },
    jobType: { ...facet('2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet'), processingType: 'STREAMING', integration: 'DEBEZIUM', jobType: 'TASK' },
  };
  if (e.job.owners.length > 0) {
    jobFacets.ownership = { ...facet('1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet'), owners: e.job.owners.map(([name, type]) => ({ name, type })) };
  }
  if (e.job.tags.length > 0) {
    jobFacets.tags = { ...facet('1-0-0/TagsJobFacet.json#/$defs/TagsJobFacet'), tags: e.job.tags.map(([key, value]) => ({ key, value, source: 'CONFIG' })) };
  }
  const runFacets: Record<string, unknown> = {
    processing_engine: { ...facet('1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet'), version: e.version, name: 'pgcdc', openlineageAdapterVersion: e.version },
    debezium_config: { _producer: e.producer, _schemaURL: DEBEZIUM_CONFIG_FACET_URL, configs: configLines(e.config) },
  };
  if (e.error !== undefined) {
    runFacets.errorMessage = { ...facet('1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet'), message: e.error, programmingLanguage: 'JavaScript' };
  }
  const dataset = (d: DatasetSpec, type: 'TABLE' | 'STREAM') => ({
    namespace: d.namespace,
    name: d.name,
    facets: {
      schema: { ...facet('1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet'), fields: d.fields },
      datasetType: { ...facet('1-0-1/DatasetTypeDatasetFacet.json#/$defs/DatasetTypeDatasetFacet'), datasetType: type, subType: '' },
    },
  });
  return {
    eventType: e.eventType,
    eventTime: e.eventTime.toISOString(),
    producer: e.producer,
    schemaURL: `${SPEC_URL}#/$defs/RunEvent`,
    run: { runId: e.runId, facets: runFacets },
    job: { namespace: e.job.namespace, name: `${e.job.topicPrefix}.0`, facets: jobFacets },
    inputs: (e.inputs ?? []).map((d) => dataset(d, 'TABLE')),
    outputs: (e.outputs ?? []).map((d) => dataset(d, 'STREAM')),
  };
}

/** `key=value` lines as Debezium's debezium_config facet lists them; secrets and URL passwords hidden. */
function configLines(config: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(redactConfig(config))
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort();
}
