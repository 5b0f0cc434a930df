/**
 * Every error answer is Kafka Connect's `{"error_code": <status>, "message": "..."}` (pgcdc may add
 * fields such as `errors`). Framework errors (bad JSON, wrong content type, oversized body, schema
 * violations, unknown routes) are rewritten into that shape with a message saying what to fix.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { redactText } from '../config/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { WorkerError } from '../worker/errors.js';

export interface ErrorBody {
  error_code: number;
  message: string;
  [extra: string]: unknown;
}

export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { error_code: status, message, ...extra };
}

interface SchemaIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv issues as sentences naming the field, e.g. `body has an unknown key "foo"`. */
function describeSchemaIssues(context: string, issues: SchemaIssue[]): string {
  const where = (i: SchemaIssue) => `${context}${i.instancePath.replace(/\//g, '.')}`;
  const lines = issues.map((i) => {
    if (i.keyword === 'additionalProperties') return `${where(i)} has an unknown key ${JSON.stringify(i.params.additionalProperty)}`;
    if (i.keyword === 'required') return `${where(i)} is missing the required key ${JSON.stringify(i.params.missingProperty)}`;
    if (i.keyword === 'enum') return `${where(i)} must be one of: ${(i.params.allowedValues as unknown[]).join(', ')}`;
    return `${where(i)} ${i.message ?? 'is invalid'}`;
  });
  return [...new Set(lines)].join('; ');
}

/** Status and message for an error thrown by fastify itself or a handler. */
export function toErrorBody(err: FastifyError & { validation?: SchemaIssue[]; validationContext?: string }, maxBodyBytes: number): ErrorBody {
  if (err instanceof WorkerError) return errorBody(err.status, err.message, err.extra);
  if (err.validation) return errorBody(400, `Invalid request: ${describeSchemaIssues(err.validationContext ?? 'body', err.validation)}`);
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, 'Unsupported content type: send the request body as application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, `Request body is larger than the limit of ${maxBodyBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'Request body size does not match its Content-Length header');
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return errorBody(400, `Malformed JSON in the request body: ${err.message}`);
  }
  // Kafka or PostgreSQL trouble while serving a request (storing a config, reading offsets).
  if (err instanceof PgcdcError) return errorBody(err.retriable ? 503 : 500, redactText(err.describe(), {}));
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return errorBody(status, err.message);
  return errorBody(500, `Internal error: ${redactText(err.message ?? String(err), {})}`);
}

export function installErrorHandling(app: FastifyInstance, log: Logger, maxBodyBytes: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const body = toErrorBody(err, maxBodyBytes);
    if (body.error_code >= 500) log.error({ method: request.method, url: request.url, err: body.message }, 'REST request failed');
    else log.debug({ method: request.method, url: request.url, status: body.error_code }, body.message);
    void reply.code(body.error_code).type('application/json').send(body);
  });
  // One debug line per request: method, path, status, duration (never headers or bodies).
  app.addHook('onResponse', async (request, reply) => {
    log.debug({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'REST request');
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    void reply.code(404).send(errorBody(404, `Unknown endpoint: ${request.method} ${path} (see GET /openapi.json)`));
  });
}
