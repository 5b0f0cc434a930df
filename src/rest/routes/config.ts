/** A connector's config: read, replace (or create), and merge. */
import type { FastifyInstance } from 'fastify';
import type { Worker } from '../../worker/worker.js';
import { ConfigBody, NameParams } from '../schemas.js';

type Named = { Params: { name: string } };
type WithConfig = Named & { Body: Record<string, unknown> };

const HIDDEN_NOTE = 'A secret sent back as "[hidden]" (as GET shows it) keeps its stored value.';

export function configRoutes(app: FastifyInstance, worker: Worker): void {
  app.get<Named>('/connectors/:name/config', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'connectors',
        summary: 'Connector config',
        description: 'As stored: ${env:...}/${file:...} references as written, other secrets "[hidden]".',
        responses: { 200: ['The config', 'Config'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => worker.info(request.params.name).config);

  app.put<WithConfig>('/connectors/:name/config', {
    schema: { params: NameParams, body: ConfigBody },
    config: {
      doc: {
        tag: 'connectors',
        summary: 'Create or replace a connector config',
        description: `The connector restarts with the new config, keeping its target state. ${HIDDEN_NOTE}`,
        responses: { 200: ['Updated', 'ConnectorInfo'], 201: ['Created', 'ConnectorInfo'] },
      },
    },
  }, async (request, reply) => {
    const { created, info } = await worker.putConfig(request.params.name, request.body);
    return reply.code(created ? 201 : 200).send(info);
  });

  app.patch<WithConfig>('/connectors/:name/config', {
    schema: { params: NameParams, body: ConfigBody },
    config: {
      doc: {
        tag: 'connectors',
        summary: 'Merge keys into a connector config',
        description: `Given keys replace stored ones; a null value removes the key. The connector restarts. ${HIDDEN_NOTE}`,
        responses: { 200: ['Updated', 'ConnectorInfo'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => worker.patchConfig(request.params.name, request.body));
}
