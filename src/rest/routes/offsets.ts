/** Offsets (read; change only when STOPPED) and the topics of a connector. */
import type { FastifyInstance } from 'fastify';
import { alterOffsets, connectorTopics, readOffsets, resetOffsets } from '../../worker/offsets.js';
import type { Worker } from '../../worker/worker.js';
import { NameParams, OffsetsRequest } from '../schemas.js';

type Named = { Params: { name: string } };
const PARTITION = 'pgcdc has one source partition per connector: {"server": "<topic.prefix>"}.';

export function offsetRoutes(app: FastifyInstance, worker: Worker): void {
  app.get<Named>('/connectors/:name/offsets', {
    schema: { params: NameParams },
    config: { doc: { tag: 'offsets', summary: 'Stored offsets', description: PARTITION, responses: { 200: ['Offsets', 'Offsets'], 404: ['Unknown connector', 'Error'] } } },
  }, async (request) => readOffsets(worker, request.params.name));

  app.patch<Named & { Body: { offsets: unknown[] } }>('/connectors/:name/offsets', {
    schema: { params: NameParams, body: OffsetsRequest },
    config: {
      doc: {
        tag: 'offsets',
        summary: 'Alter offsets (connector must be STOPPED)',
        description: `${PARTITION} A null offset removes it. The offset must hold a usable lsn (Debezium's offset fields are accepted).`,
        responses: { 200: ['Altered', 'Message'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => alterOffsets(worker, request.params.name, request.body.offsets));

  app.delete<Named>('/connectors/:name/offsets', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'offsets',
        summary: 'Reset offsets (connector must be STOPPED)',
        description: 'On resume the connector starts as new (snapshot.mode decides), from the slot position.',
        responses: { 200: ['Reset', 'Message'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => resetOffsets(worker, request.params.name));

  app.get<Named>('/connectors/:name/topics', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'offsets',
        summary: "Topics of the connector (named <topic.prefix>.…)",
        responses: { 200: ['Topics by connector name', 'Topics'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => connectorTopics(worker, request.params.name));
}
