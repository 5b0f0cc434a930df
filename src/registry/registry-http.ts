/**
 * One HTTP request to the registry. Without TLS options it is Node's fetch; with a PEM truststore or
 * the host name check off, fetch has no way to take them (no undici Agent in Node's globals), so
 * the request goes through node:https with those options and its answer is wrapped as a Response.
 * Either way redirects are not followed (a redirect could carry the Authorization header elsewhere).
 */
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { RegistryTls } from './registry-access.js';

export interface RegistryRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export function registryFetch(url: string, init: RegistryRequest, tls: RegistryTls | null): Promise<Response> {
  if (!tls || !url.toLowerCase().startsWith('https:')) {
    return fetch(url, { method: init.method, headers: init.headers, ...(init.body === undefined ? {} : { body: init.body }), redirect: 'error', signal: AbortSignal.timeout(init.timeoutMs) });
  }
  return new Promise<Response>((resolve, reject) => {
    const req = httpsRequest(url, {
      method: init.method,
      headers: { ...init.headers, ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }) },
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
      signal: AbortSignal.timeout(init.timeoutMs),
    }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.resume();
        // fetch's redirect: 'error' reports a TypeError; same here
        reject(new TypeError('fetch failed', { cause: { code: 'REDIRECT' } }));
        return;
      }
      const body = status === 204 || status === 304 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status }));
    });
    // fetch puts the socket error (ECONNREFUSED, a certificate code) on cause; callers read it there
    req.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
    req.end(init.body);
  });
}
