/** Kafka Connect's `/admin/loggers`: read and change log levels at run time (src/worker/log-levels.ts). */
import type { FastifyInstance } from 'fastify';
import { LogLevelError, type LogLevels } from '../../worker/log-levels.js';
import { WorkerError } from '../../worker/errors.js';
import { onlyQuery, queryList, type Query } from '../query.js';

type Logger = { Params: { logger: string } };

function answering<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof LogLevelError) throw new WorkerError(err.status, err.message);
    throw err;
  }
}

export function loggerRoutes(app: FastifyInstance, levels: LogLevels): void {
  app.get('/admin/loggers', {
    config: { doc: { tag: 'worker', summary: 'Loggers and their levels (root, and pgcdc.connector.<name> per connector)', responses: { 200: ['Levels by logger name'] } } },
  }, async () => levels.list());

  app.get<Logger>('/admin/loggers/:logger', {
    config: { doc: { tag: 'worker', summary: 'The level of one logger', responses: { 200: ['{"level", "last_modified"}'], 404: ['Unknown logger', 'Error'] } } },
  }, async (request) => answering(() => levels.get(request.params.logger)));

  app.put<Logger & { Body: { level?: unknown } | undefined; Querystring: Query }>('/admin/loggers/:logger', {
    config: {
      doc: {
        tag: 'worker',
        summary: 'Set the level of a logger and its descendants (OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL)',
        description: 'scope=worker (default) answers the loggers changed; scope=cluster answers 204, as Kafka Connect does (pgcdc has one worker: the change applies to it). Levels are not kept across a worker restart.',
        responses: { 200: ['Names of the loggers changed'], 204: ['Changed (scope=cluster)'], 400: ['Missing or invalid level', 'Error'], 404: ['Unknown logger', 'Error'] },
      },
    },
  }, async (request, reply) => {
    onlyQuery(request.query, ['scope']);
    const body = request.body;
    if (!body || typeof body !== 'object' || body.level === undefined) throw new WorkerError(400, "Desired 'level' parameter was not specified in request.");
    const scope = queryList(request.query, 'scope').pop()?.toLowerCase() ?? 'worker';
    if (scope !== 'worker' && scope !== 'cluster') throw new WorkerError(400, `Query parameter scope must be worker or cluster, not ${JSON.stringify(scope).slice(0, 40)}`);
    const changed = answering(() => levels.setLevel(request.params.logger, body.level));
    if (scope === 'cluster') return reply.code(204).send();
    return changed;
  });
}
