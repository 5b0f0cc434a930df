/** Operations endpoints: Prometheus metrics, liveness and readiness. */
import type { FastifyInstance } from 'fastify';
import { Exposition, exposeConnector } from '../../metrics/prometheus.js';
import type { Worker } from '../../worker/worker.js';

/** How long /metrics waits for fresh lag samples before answering with the previous ones. */
const FRESH_SAMPLE_WAIT_MS = 2_000;

export function metricsRoutes(app: FastifyInstance, worker: Worker): void {
  app.get('/metrics', {
    config: { doc: { tag: 'worker', summary: 'Prometheus metrics (text format 0.0.4), names prefixed pgcdc_', responses: { 200: ['Metrics in Prometheus text format'] } } },
  }, async (_request, reply) => {
    // In a cluster, each worker reports the connectors it runs (a sum over the workers counts each once).
    const managed = worker.localNames().map((n) => worker.get(n));
    // Sample on demand, but a slow PostgreSQL must not make the scrape time out: fall back to the last sample.
    const fresh = Promise.all(managed.map((m) => m.lag.sample()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([fresh, new Promise((done) => (timer = setTimeout(done, FRESH_SAMPLE_WAIT_MS)))]);
    clearTimeout(timer);
    const x = new Exposition();
    x.add('pgcdc_connectors', 'gauge', 'Connectors running on this worker (standalone: every connector defined)', {}, managed.length);
    for (const m of managed) exposeConnector(x, m, m.status(worker.workerId).connector.state);
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return x.toString();
  });

  // Kafka Connect's shape (KIP-1017). pgcdc listens only once startup is complete (src/worker/run-worker.ts),
  // so an answer is always "healthy"; no answer is Connect's "starting".
  app.get('/health', {
    config: {
      doc: {
        tag: 'worker',
        summary: 'Liveness in Kafka Connect\'s shape: 200 {"status":"healthy",...} once the worker has started; answers without authentication',
        responses: { 200: ['{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}'] },
      },
    },
  }, async () => ({ status: 'healthy', message: 'Worker has completed startup and is ready to handle requests.' }));

  app.get('/ready', {
    config: {
      doc: {
        tag: 'worker',
        summary: 'Readiness: 200 when every connector is RUNNING or deliberately PAUSED/STOPPED',
        responses: { 200: ['All connectors ready'], 503: ['Connectors not ready, with their state'] },
      },
    },
  }, async (_request, reply) => {
    const notReady: { name: string; state: string; target: string; trace?: string }[] = [];
    for (const name of worker.localNames()) {
      const managed = worker.get(name);
      const current = managed.status(worker.workerId).connector;
      const deliberate = (current.state === 'PAUSED' || current.state === 'STOPPED') && managed.target === current.state;
      if (current.state !== 'RUNNING' && !deliberate) {
        notReady.push({ name, state: current.state, target: managed.target, ...(current.trace ? { trace: current.trace.split('\n')[0] } : {}) });
      }
    }
    if (notReady.length > 0) return reply.code(503).send({ status: 'NOT_READY', connectors: notReady });
    return { status: 'READY', connectors: worker.localNames().length };
  });
}
