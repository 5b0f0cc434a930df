/**
 * GET /openapi.json is generated from the routes actually registered (their `doc` config and
 * request schemas), so the description cannot drift from the server: a route without `doc` is a
 * startup error.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { PGCDC_VERSION } from '../version.js';
import { responses } from './schemas.js';

export type ResponseName = keyof typeof responses;

export interface RouteDoc {
  summary: string;
  description?: string;
  tag: 'worker' | 'connectors' | 'lifecycle' | 'offsets' | 'plugins';
  query?: { name: string; description: string; schema: Record<string, unknown> }[];
  /** status → description and (optional) body shape */
  responses: Record<number, [string, ResponseName?]>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

interface Collected {
  method: string;
  url: string;
  doc: RouteDoc;
  schema?: RouteOptions['schema'];
}

/** Paths with {param} instead of :param. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Must be called before routes are registered. */
export function collectRoutes(app: FastifyInstance): Collected[] {
  const routes: Collected[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const doc = (route.config as { doc?: RouteDoc } | undefined)?.doc;
      if (!doc) throw new Error(`REST route ${method} ${route.url} has no OpenAPI doc`);
      routes.push({ method: method.toLowerCase(), url: route.url, doc, schema: route.schema });
    }
  });
  return routes;
}

/** The methods (upper case) of the routes whose pattern matches a concrete path (`:param` = one segment). */
export function methodsOf(routes: Collected[], path: string): string[] {
  const segments = path.split('/');
  const out = new Set<string>();
  for (const r of routes) {
    const pattern = r.url.split('/');
    if (pattern.length === segments.length && pattern.every((p, i) => (p.startsWith(':') ? segments[i] !== '' : p === segments[i]))) out.add(r.method.toUpperCase());
  }
  return [...out].sort();
}

const ERRORS: Record<number, string> = {
  400: 'Invalid request (the message says what to fix)',
  401: 'Authentication required or credentials invalid',
  413: 'Request body too large',
  415: 'Request body is not application/json',
};

export function buildOpenApi(routes: Collected[], secured: boolean): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = openApiPath(r.url);
    const params = (r.url.match(/:([A-Za-z0-9_]+)/g) ?? []).map((p) => ({ name: p.slice(1), in: 'path', required: true, schema: { type: 'string' } }));
    const query = (r.doc.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema }));
    const answer: Record<string, unknown> = {};
    for (const [status, [description, shape]] of Object.entries(r.doc.responses)) {
      answer[status] = shape ? { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${shape}` } } } } : { description };
    }
    const errorRef = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    for (const [status, description] of Object.entries(ERRORS)) {
      if (status === '401' && !secured) continue;
      if ((status === '413' || status === '415') && !r.schema?.body) continue;
      answer[status] ??= { description, ...errorRef };
    }
    answer.default = { description: 'Error', ...errorRef };
    const body = r.schema?.body as Record<string, unknown> | undefined;
    (paths[path] ??= {})[r.method] = {
      summary: r.doc.summary,
      ...(r.doc.description ? { description: r.doc.description } : {}),
      tags: [r.doc.tag],
      operationId: `${r.method}_${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'root'}`,
      parameters: [...params, ...query],
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      responses: answer,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'pgcdc worker REST API',
      version: PGCDC_VERSION,
      description: "Kafka Connect's REST API for pgcdc, a Debezium-compatible PostgreSQL source connector. Errors answer {\"error_code\": <status>, \"message\": \"...\"}.",
    },
    paths,
    components: {
      schemas: responses,
      ...(secured ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } } } : {}),
    },
    ...(secured ? { security: [{ bearer: [] }, { basic: [] }] } : {}),
  };
}
