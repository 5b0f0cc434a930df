/** Worker info, the connector plugin pgcdc offers, config validation, and the OpenAPI description. */
import type { FastifyInstance } from 'fastify';
import { CONNECTOR_CLASSES, DEBEZIUM_CONNECTOR_CLASS, toConnectValidationResponse } from '../../config/index.js';
import { WorkerError } from '../../worker/errors.js';
import { prepareConfig } from '../../worker/validation.js';
import type { Worker } from '../../worker/worker.js';
import { PGCDC_VERSION } from '../../version.js';
import { ConfigBody, PluginParams } from '../schemas.js';

type Plugin = { Params: { type: string } };

/** Kafka Connect accepts a plugin's full class name or its simple name (with or without "Connector"). */
function checkPlugin(type: string): void {
  const accepted = [...CONNECTOR_CLASSES, 'PostgresConnector', 'Postgres'];
  if (!accepted.includes(type)) {
    throw new WorkerError(404, `Unknown connector plugin ${type}: pgcdc provides ${DEBEZIUM_CONNECTOR_CLASS} (also: PostgresConnector, pgcdc)`);
  }
}

export function pluginRoutes(app: FastifyInstance, worker: Worker, openApi: () => Record<string, unknown>): void {
  app.get('/', {
    config: { doc: { tag: 'worker', summary: 'Worker version and Kafka cluster', responses: { 200: ['Worker info', 'ServerInfo'] } } },
  }, async () => ({ version: PGCDC_VERSION, commit: process.env.PGCDC_COMMIT ?? 'unknown', kafka_cluster_id: worker.clusterId }));

  app.get('/connector-plugins', {
    config: { doc: { tag: 'plugins', summary: 'Connector plugins', responses: { 200: ['The PostgreSQL source connector', 'Plugins'] } } },
  }, async () => [{ class: DEBEZIUM_CONNECTOR_CLASS, type: 'source', version: PGCDC_VERSION }]);

  app.get<Plugin>('/connector-plugins/:type/config', {
    schema: { params: PluginParams },
    config: { doc: { tag: 'plugins', summary: 'Config keys of the plugin', responses: { 200: ['Key definitions', 'ConfigDefinitions'], 404: ['Unknown plugin', 'Error'] } } },
  }, async (request) => {
    checkPlugin(request.params.type);
    return toConnectValidationResponse({}).configs.map((c) => c.definition);
  });

  app.put<Plugin & { Body: Record<string, unknown> }>('/connector-plugins/:type/config/validate', {
    schema: { params: PluginParams, body: ConfigBody },
    config: {
      doc: {
        tag: 'plugins',
        summary: 'Validate a config',
        description: 'Answers 200 with error_count and per-key errors; nothing is created. Provider references are resolved to check them, never shown resolved.',
        responses: { 200: ['Validation result', 'Validation'], 404: ['Unknown plugin', 'Error'] },
      },
    },
  }, async (request) => {
    checkPlugin(request.params.type);
    const given = request.body['connector.class'];
    if (typeof given === 'string' && given !== request.params.type && !(CONNECTOR_CLASSES as readonly string[]).includes(given)) {
      throw new WorkerError(400, `Included connector type ${given} does not match request type ${request.params.type}`);
    }
    // Resolved once (under the worker's provider policy); messages never show a substituted value.
    const { redact, resolution } = await prepareConfig(request.body);
    const result = toConnectValidationResponse(request.body, { resolution });
    for (const c of result.configs) c.value.errors = c.value.errors.map(redact);
    result.warnings = result.warnings.map((w) => ({ key: w.key, message: redact(w.message) }));
    return result;
  });

  app.get('/openapi.json', {
    config: { doc: { tag: 'worker', summary: 'This API, as OpenAPI 3.1', responses: { 200: ['OpenAPI document', 'OpenApi'] } } },
  }, async () => openApi());
}
