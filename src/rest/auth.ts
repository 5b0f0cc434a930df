/**
 * Optional authentication of every REST request: a bearer token (PGCDC_REST_TOKEN) and/or HTTP basic
 * credentials (PGCDC_REST_BASIC_AUTH). Credentials are compared in constant time through digests,
 * so neither their content nor their length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RestAuth } from '../worker/settings.js';
import { errorBody } from './errors.js';
import { LoginThrottle, MAX_FAILURES, WINDOW_MS } from './login-throttle.js';

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
 * their state, so they stay behind authentication. The console's page and scripts hold no data
 * (it asks for a token, then reads the authenticated endpoints), so the page can load to ask.
 */
const OPEN_ROUTES = new Set(['/health', '/ui', '/ui/assets/:file']);

export function installAuth(app: FastifyInstance, auth: RestAuth, log: Logger, throttle = new LoginThrottle()): void {
  if (!auth.token && !auth.basic) return;
  const challenge = [auth.basic ? 'Basic realm="pgcdc"' : null, auth.token ? 'Bearer realm="pgcdc"' : null].filter(Boolean).join(', ');
  app.addHook('onRequest', async (request, reply) => {
    // routeOptions.url is the matched route pattern (undefined for unknown paths), not the raw URL
    if (request.routeOptions.url !== undefined && OPEN_ROUTES.has(request.routeOptions.url)) return;
    const client = request.ip;
    const wait = throttle.retryAfter(client);
    if (wait > 0) {
      return reply.code(429).header('retry-after', String(wait))
        .send(errorBody(429, `Too many failed logins from this address: try again in ${wait} s`));
    }
    if (authorized(request.headers.authorization, auth)) {
      throttle.succeed(client);
      return;
    }
    const given = request.headers.authorization;
    // A request without credentials is a client that has not logged in yet, not a guess.
    if (given) {
      const failures = throttle.fail(client);
      const scheme = given.split(' ')[0]!.slice(0, 20);
      if (failures < MAX_FAILURES) log.warn({ client, scheme, failures, path: request.url.split('?')[0]!.slice(0, 200) }, 'REST login failed');
      else if (failures === MAX_FAILURES) log.warn({ client, failures, lockoutMs: WINDOW_MS }, `REST login failed ${MAX_FAILURES} times; refusing this address with 429 until the window ends`);
    }
    const message = given ? 'Invalid credentials' : 'Authentication required: send an Authorization header (Bearer token or Basic)';
    return reply.code(401).header('www-authenticate', challenge).send(errorBody(401, message));
  });
}
