/**
 * The worker's REST API (Kafka Connect's), on fastify. Request bodies must be JSON (415 otherwise),
 * at most `maxBodyBytes` (413), and match their schema with no unknown keys (400); every error is
 * answered as `{"error_code", "message"}` and the server keeps serving. Fastify does not log
 * requests itself: nothing a client sends (a config with a password) reaches the log.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Worker } from '../worker/worker.js';
import type { WorkerProcessSettings } from '../worker/settings.js';
import { installAuth } from './auth.js';
import { installHostCheck } from './host-check.js';
import { answerClientError, answerConnect, answerFrameworkError, installErrorHandling } from './errors.js';
import { buildOpenApi, collectRoutes, methodsOf } from './openapi.js';
import { configRoutes } from './routes/config.js';
import { connectorRoutes } from './routes/connectors.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { metricsRoutes } from './routes/metrics.js';
import { offsetRoutes } from './routes/offsets.js';
import { pluginRoutes } from './routes/plugins.js';
import { historyRoutes } from './routes/history.js';
import { uiRoutes } from './routes/ui.js';
import { schemaChangeRoutes } from './routes/schema-changes.js';
import { loggerRoutes } from './routes/loggers.js';
import type { LogLevels } from '../worker/log-levels.js';
import { installForwarding, type ClusterRouting } from './forwarding.js';

export type RestSettings = Pick<WorkerProcessSettings, 'auth' | 'tls' | 'maxBodyBytes' | 'allowedHosts' | 'plaintextCredentialsWarning'>;

/** `cluster`: this worker is a member of a cluster; requests another worker must handle are forwarded there. */
export function buildRestServer(worker: Worker, settings: RestSettings, log: Logger, levels: LogLevels, cluster?: ClusterRouting): FastifyInstance {
  const https = settings.tls ? { cert: readFileSync(settings.tls.certFile), key: readFileSync(settings.tls.keyFile) } : null;
  const app = Fastify({
    ...(https ? { https } : {}),
    bodyLimit: settings.maxBodyBytes,
    // Names may be up to 200 characters, percent-encoded; longer ones get a 400 naming the rule, not a 404.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: true },
    // No coercion, no silent removal of unknown keys, and every schema error at once.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true } },
    return503OnClosing: true,
    // HTTP the parser refuses (unknown method, oversized headers, bad framing) still gets {error_code, message}.
    clientErrorHandler: answerClientError,
    frameworkErrors: (err, request, reply) => answerFrameworkError(err, request, reply, settings.maxBodyBytes),
  }) as unknown as FastifyInstance;
  app.server.on('connect', answerConnect);

  const routes = collectRoutes(app);
  // Kafka Connect clients send `Content-Type: application/json` with an empty body to pause/resume:
  // an empty body is "no body", anything else must parse (with fastify's prototype-poisoning checks).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    parseJson(request, body as string, done);
  });

  installErrorHandling(app, log, settings.maxBodyBytes, (path) => methodsOf(routes, path));
  const secured = Boolean(settings.auth.token || settings.auth.basic);
  installHostCheck(app, { allowedHosts: settings.allowedHosts, secured });
  installAuth(app, settings.auth, log);
  if (settings.plaintextCredentialsWarning) log.warn(settings.plaintextCredentialsWarning);
  if (cluster) installForwarding(app, cluster, log);

  let openApi: Record<string, unknown> | undefined;
  pluginRoutes(app, worker, () => (openApi ??= buildOpenApi(routes, secured)));
  connectorRoutes(app, worker, cluster);
  configRoutes(app, worker);
  lifecycleRoutes(app, worker);
  offsetRoutes(app, worker);
  metricsRoutes(app, worker);
  historyRoutes(app, worker);
  uiRoutes(app);
  schemaChangeRoutes(app, worker);
  levels.trackConnectors((name) => worker.names().includes(name));
  loggerRoutes(app, levels);
  return app;
}
