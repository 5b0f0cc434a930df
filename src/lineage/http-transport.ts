/**
 * POSTs an OpenLineage event to `<transport.url><transport.endpoint>`, treated as alert.webhook.url
 * is: any http(s) URL the config names, redirects not followed, the answer's body never read into a
 * message, URL credentials sent as a Basic header and never logged; the bearer token (a secret)
 * goes only into the Authorization header.
 */
import type { Deliver } from './delivery-queue.js';

export function httpDeliver(baseUrl: string, endpoint: string, token: string | null, timeoutMs: number): Deliver {
  const target = new URL(baseUrl.replace(/\/+$/, '') + endpoint);
  let authorization: string | undefined;
  if (target.username || target.password) {
    authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  if (token) authorization = `Bearer ${token}`;
  const url = target.toString();
  return async (line, signal) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: line,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      // Only the error's name and code: fetch's messages may quote the URL.
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new Error(`${(err as Error).name}${cause?.code ? ` (${cause.code})` : ''}`);
    }
    await res.arrayBuffer().catch(() => undefined); // release the socket
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };
}

/** The receiver as logged: origin and path only (no credentials, no query). */
export function shownUrl(baseUrl: string, endpoint: string): string {
  try {
    const u = new URL(baseUrl.replace(/\/+$/, '') + endpoint);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[invalid url]';
  }
}
