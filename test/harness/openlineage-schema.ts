/**
 * Validates OpenLineage events against the published JSON schemas vendored in
 * test/fixtures/openlineage (see SOURCE.md there): the run event against OpenLineage.json, and each
 * facet pgcdc emits against its own facet schema. Returns every problem found (empty = valid).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const DIR = new URL('../../../test/fixtures/openlineage/', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(new URL(file, DIR), 'utf8')));

const SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
const FACET = (v: string, name: string) => `https://openlineage.io/spec/facets/${v}/${name}.json`;
/** facet key → the facet file whose `properties` declares it */
const FACET_SCHEMAS: Record<string, string> = {
  schema: FACET('1-2-0', 'SchemaDatasetFacet'),
  datasetType: FACET('1-0-1', 'DatasetTypeDatasetFacet'),
  documentation: FACET('1-1-0', 'DocumentationJobFacet'),
  jobType: FACET('2-0-4', 'JobTypeJobFacet'),
  ownership: FACET('1-0-1', 'OwnershipJobFacet'),
  tags: FACET('1-0-0', 'TagsJobFacet'),
  processing_engine: FACET('1-1-1', 'ProcessingEngineRunFacet'),
  errorMessage: FACET('1-0-1', 'ErrorMessageRunFacet'),
};
/** custom facets: valid as the spec's base facet types */
const CUSTOM_FACETS: Record<string, string> = { debezium_config: `${SPEC}#/$defs/RunFacet` };

function check(schemaId: string, value: unknown, where: string, problems: string[]): void {
  const validate = ajv.getSchema(schemaId);
  if (!validate) throw new Error(`no schema ${schemaId}`);
  if (!validate(value)) for (const e of validate.errors ?? []) problems.push(`${where}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

export function openLineageProblems(event: Record<string, any>): string[] {
  const problems: string[] = [];
  check(SPEC, event, 'event', problems);
  check(`${SPEC}#/$defs/RunEvent`, event, 'RunEvent', problems);
  const facetMaps: [string, Record<string, unknown> | undefined][] = [
    ['run.facets', event.run?.facets],
    ['job.facets', event.job?.facets],
    ...[...(event.inputs ?? []), ...(event.outputs ?? [])].map((d: any, i: number): [string, Record<string, unknown>] => [`dataset[${i}].facets`, d.facets]),
  ];
  for (const [where, facets] of facetMaps) {
    for (const [key, facet] of Object.entries(facets ?? {})) {
      if (FACET_SCHEMAS[key]) check(FACET_SCHEMAS[key], { [key]: facet }, `${where}.${key}`, problems);
      else if (CUSTOM_FACETS[key]) check(CUSTOM_FACETS[key], facet, `${where}.${key}`, problems);
      else problems.push(`${where}.${key}: a facet this validator does not know`);
    }
  }
  return problems;
}
