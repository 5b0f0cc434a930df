/**
 * DNS rebinding defence: a web page can make the operator's browser send requests to 127.0.0.1
 * under its own host name, so without authentication only requests naming a loopback host
 * (localhost, 127.x.x.x, [::1], any port) or one of PGCDC_REST_ALLOWED_HOSTS are served; others get
 * 421 in Kafka Connect's error shape. Browsers always send Host; a request without one (HTTP/1.0
 * tools) is not a browser's and is served.
 */
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.js';

/** The host name of a Host header value, lower case, without port (IPv6 kept in brackets). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    return close < 0 ? h : h.slice(0, close + 1);
  }
  const colon = h.lastIndexOf(':');
  const name = colon >= 0 && /^\d*$/.test(h.slice(colon + 1)) ? h.slice(0, colon) : h;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export function installHostCheck(app: FastifyInstance, options: { allowedHosts: readonly string[]; secured: boolean }): void {
  // With authentication a page cannot forge the credentials: checked only when hosts are configured.
  if (options.secured && options.allowedHosts.length === 0) return;
  const allowed = new Set(options.allowedHosts);
  app.addHook('onRequest', async (request, reply) => {
    if (options.secured && request.routeOptions.url === '/health') return;
    const header = request.headers.host;
    if (header === undefined) return;
    const name = hostName(header);
    if (isLoopbackName(name) || allowed.has(name)) return;
    const shown = name.length > 80 ? `${name.slice(0, 60)}…` : name;
    return reply.code(421).send(errorBody(421,
      `Host ${JSON.stringify(shown)} is not served by this worker: it answers to localhost, 127.0.0.1 and [::1]` +
        `${allowed.size ? ` and ${[...allowed].join(', ')}` : ''}; add the name to PGCDC_REST_ALLOWED_HOSTS to accept it`));
  });
}
