/** Status, pause/resume/stop, restart, and the (single) task of a connector. */
import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../worker/errors.js';
import type { Worker } from '../../worker/worker.js';
import { onlyQuery, queryFlag, type Query } from '../query.js';
import { NameParams, TaskParams } from '../schemas.js';

type Named = { Params: { name: string } };
type Tasked = { Params: { name: string; task: string } };

/** pgcdc runs one task per connector (one reader per replication slot): task 0. */
function checkTask(worker: Worker, name: string, task: string): void {
  worker.get(name);
  if (task !== '0') throw new WorkerError(404, `Task ${name}-${task} not found (a pgcdc connector has the single task 0)`);
}

export function lifecycleRoutes(app: FastifyInstance, worker: Worker): void {
  app.get<Named>('/connectors/:name/status', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'lifecycle',
        summary: 'Connector and task state',
        description: 'States: UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED (with trace), RESTARTING (retrying, with the reason as trace). `warnings` lists ignored keys.',
        responses: { 200: ['Status', 'ConnectorStatus'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request) => worker.status(request.params.name));

  const transition = (verb: 'pause' | 'resume' | 'stop', code: number, description: string) =>
    app.put<Named>(`/connectors/:name/${verb}`, {
      schema: { params: NameParams },
      config: { doc: { tag: 'lifecycle', summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a connector`, description, responses: { [code]: ['Done'], 404: ['Unknown connector', 'Error'] } } },
    }, async (request, reply) => {
      await worker.setTarget(request.params.name, verb === 'pause' ? 'PAUSED' : verb === 'stop' ? 'STOPPED' : 'RUNNING');
      return reply.code(code).send();
    });
  transition('pause', 202, 'Drains in-flight events, stores the offset and closes the replication connection; the target state PAUSED is stored.');
  transition('resume', 202, 'Continues a PAUSED or STOPPED connector from its stored offset.');
  transition('stop', 204, 'Like pause, and the connector has no task until resumed; only a STOPPED connector may have its offsets changed.');

  app.post<Named & { Querystring: Query }>('/connectors/:name/restart', {
    schema: { params: NameParams },
    config: {
      doc: {
        tag: 'lifecycle',
        summary: 'Restart a connector',
        description: 'A fresh run from the stored config (config provider references resolved again). With includeTasks or onlyFailed: 202 and the status.',
        query: [
          { name: 'includeTasks', description: 'true: restart the task too (pgcdc always does)', schema: { type: 'boolean' } },
          { name: 'onlyFailed', description: 'true: restart only if FAILED', schema: { type: 'boolean' } },
        ],
        responses: { 204: ['Restarted'], 202: ['The restart plan: connector and task RESTARTING when restarted, else their state', 'ConnectorStatus'], 404: ['Unknown connector', 'Error'] },
      },
    },
  }, async (request, reply) => {
    onlyQuery(request.query, ['includeTasks', 'onlyFailed']);
    const includeTasks = queryFlag(request.query, 'includeTasks');
    const onlyFailed = queryFlag(request.query, 'onlyFailed');
    const restarted = await worker.restart(request.params.name, onlyFailed);
    if (!includeTasks && !onlyFailed) return reply.code(204).send();
    // Kafka Connect answers with its restart plan: what it restarts shows RESTARTING (pgcdc's one
    // task is the connector's run, so it restarts with it); what it leaves alone shows its state.
    const status = worker.status(request.params.name);
    if (!restarted) return reply.code(202).send(status);
    const restarting = <T extends { state: string; trace?: string }>({ trace: _trace, ...s }: T) => ({ ...s, state: 'RESTARTING' });
    return reply.code(202).send({ ...status, connector: restarting(status.connector), tasks: status.tasks.map(restarting) });
  });

  app.get<Named>('/connectors/:name/tasks', {
    schema: { params: NameParams },
    config: { doc: { tag: 'lifecycle', summary: 'Tasks and their configs', responses: { 200: ['Tasks', 'Tasks'], 404: ['Unknown connector', 'Error'] } } },
  }, async (request) => {
    const info = worker.info(request.params.name);
    return info.tasks.map((t) => ({ id: t, config: info.config }));
  });

  app.get<Tasked>('/connectors/:name/tasks/:task/status', {
    schema: { params: TaskParams },
    config: { doc: { tag: 'lifecycle', summary: 'Task state', responses: { 200: ['Task status', 'ConnectorStatus'], 404: ['Unknown connector or task', 'Error'] } } },
  }, async (request) => {
    checkTask(worker, request.params.name, request.params.task);
    const status = worker.status(request.params.name);
    const task = status.tasks[0];
    if (!task) throw new WorkerError(404, `Task ${request.params.name}-0 not found: the connector is STOPPED`);
    return task;
  });

  app.post<Tasked>('/connectors/:name/tasks/:task/restart', {
    schema: { params: TaskParams },
    config: { doc: { tag: 'lifecycle', summary: 'Restart the task', responses: { 204: ['Restarted'], 404: ['Unknown connector or task', 'Error'] } } },
  }, async (request, reply) => {
    checkTask(worker, request.params.name, request.params.task);
    await worker.restart(request.params.name);
    return reply.code(204).send();
  });
}
