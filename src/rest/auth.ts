/**
 * Optional authentication of every REST request: a bearer token (PGCDC_REST_TOKEN) and/or HTTP basic
 * credentials (PGCDC_REST_BASIC_AUTH). Credentials are compared in constant time through digests,
 * so neither their content nor their length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RestAuth } from '../worker/settings.js';
import { errorBody } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function same(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether an Authorization header value satisfies the configured credentials. */
export function authorized(header: string | undefined, auth: RestAuth): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && auth.token !== null) return same(value, auth.token);
  if (scheme === 'basic' && auth.basic !== null) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared always, so a wrong user takes as long as a wrong password.
    const userOk = same(decoded.slice(0, colon), auth.basic.user);
    const passOk = same(decoded.slice(colon + 1), auth.basic.password);
    return userOk && passOk;
  }
  return false;
}

/**
 * Routes answered without credentials: liveness probes (kubelet, load balancers) carry none, and
 * /health reveals nothing but that the process answers. /ready and /metrics name connectors and
 * their state, so they stay behind authentication.
 */
const OPEN_ROUTES = new Set(['/health']);

export function installAuth(app: FastifyInstance, auth: RestAuth): void {
  if (!auth.token && !auth.basic) return;
  const challenge = [auth.basic ? 'Basic realm="pgcdc"' : null, auth.token ? 'Bearer realm="pgcdc"' : null].filter(Boolean).join(', ');
  app.addHook('onRequest', async (request, reply) => {
    // routeOptions.url is the matched route pattern (undefined for unknown paths), not the raw URL
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    if (authorized(request.headers.authorization, auth)) return;
    const message = request.headers.authorization ? 'Invalid credentials' : 'Authentication required: send an Authorization header (Bearer token or Basic)';
    return reply.code(401).header('www-authenticate', challenge).send(errorBody(401, message));
  });
}
