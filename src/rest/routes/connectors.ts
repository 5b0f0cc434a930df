/** Listing, creating, reading and deleting connectors. */
import type { FastifyInstance } from 'fastify';
import type { TargetState } from '../../worker/config-store.js';
import type { Worker } from '../../worker/worker.js';
import { onlyQuery, queryList, type Query } from '../query.js';
import { CreateConnectorRequest, NameParams } from '../schemas.js';
import { remoteStatus, type ClusterRouting } from '../forwarding.js';

type Named = { Params: { name: string } };

export function connectorRoutes(app: FastifyInstance, worker: Worker, cluster?: ClusterRouting): void {
  app.get<{ Querystring: Query }>('/connectors', {
    config: {
      doc: {
        tag: 'connectors',
        summary: 'List connector names',
        description: 'With expand=status and/or expand=info: an object by name with the status and/or info of each connector.',
        query: [{ name: 'expand', description: 'status, info (repeatable)', schema: { type: 'string', enum: ['status', 'info'] } }],
        responses: { 200: ['Names, or expanded objects by name', 'Names'] },
      },
    },
  }, async (request) => {
    onlyQuery(request.query, ['expand']);
    const expand = queryList(request.query, 'expand');
    // Like Kafka Connect: an unknown expansion adds nothing to each entry (and is logged), not a 400.
    const bad = expand.filter((e) => e !== 'status' && e !== 'info');
    if (bad.length > 0) worker.deps.log.info({ expand: bad.map((b) => b.slice(0, 40)) }, 'ignoring unknown expansion type (accepted: status, info)');
    const names = worker.names();
    if (expand.length === 0) return names;
    // In a cluster, a connector running on another worker is reported by that worker (asked in parallel).
    const remote = new Map<string, unknown>();
    if (cluster && expand.includes('status')) {
      await Promise.all(names.filter((n) => !worker.isLocal(n)).map(async (n) => remote.set(n, await remoteStatus(cluster, n, request.headers.authorization))));
    }
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of names) {
      const entry: Record<string, unknown> = {};
      if (expand.includes('status')) entry.status = remote.get(name) ?? worker.status(name);
      if (expand.includes('info')) entry.info = worker.info(name);
      out[name] = entry;
    }
    return out;
  });

  app.post<{ Body: { name: string; config: Record<string, unknown>; initial_state?: TargetState } }>('/connectors', {
    schema: { body: CreateConnectorRequest },
    config: {
      doc: {
        tag: 'connectors',
        summary: 'Create a connector',
        description: 'Validates the whole config first: an invalid one is refused with every error listed, and nothing is created. Unknown keys are warnings (see status).',
        responses: { 201: ['Created', 'ConnectorInfo'], 409: ['A connector of that name exists', 'Error'] },
      },
    },
  }, async (request, reply) => {
    const { name, config, initial_state } = request.body;
    const info = await worker.create(name, config, initial_state ?? 'RUNNING');
    return reply.code(201).header('location', `/connectors/${encodeURIComponent(name)}`).send(info);
  });

  app.get<Named>('/connectors/:name', {
    schema: { params: NameParams },
    config: { doc: { tag: 'connectors', summary: 'Connector info', responses: { 200: ['Name, config (secrets hidden), tasks, type', 'ConnectorInfo'], 404: ['Unknown connector', 'Error'] } } },
  }, async (request) => worker.info(request.params.name));

  app.delete<Named>('/connectors/:name', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'connectors',
        summary: 'Delete a connector',
        description: 'Stops it gracefully and forgets its config. Offsets are kept; the replication slot is dropped only when slot.drop.on.stop=true.',
        responses: { 204: ['Deleted'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request, reply) => {
    await worker.delete(request.params.name);
    return reply.code(204).send();
  });
}
