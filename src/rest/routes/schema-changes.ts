/** Pending breaking schema changes of a connector and the operator's decisions (src/schema-changes). */
import type { FastifyInstance } from 'fastify';
import type { Worker } from '../../worker/worker.js';
import { approveSchemaChange, listSchemaChanges, rejectSchemaChange, skipTableForSchemaChange } from '../../schema-changes/decisions.js';

type Named = { Params: { name: string } };
type Change = { Params: { name: string; id: string } };

const ChangeParams = { type: 'object', properties: { name: { type: 'string' }, id: { type: 'string', pattern: '^[0-9a-f]{1,64}$' } }, required: ['name', 'id'], additionalProperties: false };
const NameOnly = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };

export function schemaChangeRoutes(app: FastifyInstance, worker: Worker): void {
  app.get<Named>('/connectors/:name/schema-changes', {
    schema: { params: NameOnly },
    config: {
      doc: {
        tag: 'lifecycle',
        summary: 'Pending breaking schema change, decisions taken, tables skipped',
        description: '`pending`: the change the connector is PAUSED at (table, columns, old and new field definitions, registry verdicts), or null; `decisions`: the last 50; `skipped_tables`; `topic_versions` / `topic_moved_at` (schema.change.breaking.topic.versioning).',
        responses: { 200: ['Schema-change state'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => listSchemaChanges(worker, request.params.name));

  const decide = (verb: string, summary: string, run: (name: string, id: string) => Promise<unknown>) =>
    app.post<Change>(`/connectors/:name/schema-changes/:id/${verb}`, {
      schema: { params: ChangeParams },
      config: { doc: { tag: 'lifecycle', summary, responses: { 200: ['The decision'], 404: ['Unknown connector or no such pending change', 'Error'], 409: ['Already decided', 'Error'] } } },
    }, async (request) => run(request.params.name, request.params.id));
  decide('approve', 'Register the new version (one-time compatibility override, or as the first version of <topic>.v<N> under schema.change.breaking.topic.versioning) and resume from where the connector paused', (n, id) => approveSchemaChange(worker, n, id));
  decide('skip-table', 'Remove the table from capture and resume', (n, id) => skipTableForSchemaChange(worker, n, id));
  decide('reject', 'Record the refusal; the connector stays paused', (n, id) => rejectSchemaChange(worker, n, id));
}
