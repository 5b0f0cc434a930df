/**
 * Sends alert transitions to alert.webhook.url in the background. Deliveries go one at a time (so a
 * receiver sees "firing" before its "resolved"), each attempt is cut off after `timeoutMs`, failures
 * are retried with jittered exponential backoff, and the queue is bounded: a dead or hanging
 * receiver costs a few timers, never a delay in the pipeline, and nothing here ever throws.
 */
import type { Logger } from 'pino';
import { backoffMs, sleep } from '../errors/retry.js';

export interface WebhookOptions {
  timeoutMs: number;
  attempts: number;
  initialDelayMs: number;
  maxQueue: number;
}

const DEFAULTS: WebhookOptions = { timeoutMs: 5_000, attempts: 4, initialDelayMs: 500, maxQueue: 100 };

export class WebhookNotifier {
  private readonly queue: { url: string; body: unknown }[] = [];
  private sending = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly opts: WebhookOptions;

  constructor(private readonly log: Logger, opts: Partial<WebhookOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** Queues a POST; returns at once. */
  post(url: string, body: unknown): void {
    if (this.closed) return;
    if (this.queue.length >= this.opts.maxQueue) {
      const dropped = this.queue.shift();
      this.log.warn({ webhook: shown(url), dropped: dropped?.body }, 'alert webhook queue full; oldest notification dropped');
    }
    this.queue.push({ url, body });
    // started on a later tick: even the first fetch (which loads its HTTP client) stays off the caller's path
    if (!this.sending) {
      this.sending = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Abandons pending deliveries (connector deleted, worker shutting down). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.abort.abort();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const next = this.queue.shift()!;
        await this.deliver(next.url, next.body);
      }
    } finally {
      this.sending = false;
    }
  }

  private async deliver(given: string, body: unknown): Promise<void> {
    const text = JSON.stringify(body);
    const { url, authorization } = withoutCredentials(given);
    for (let attempt = 1; attempt <= this.opts.attempts && !this.closed; attempt++) {
      let problem: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: text,
          // A redirect could lead anywhere; receivers answer where they were asked.
          redirect: 'manual',
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
        });
        await res.arrayBuffer().catch(() => undefined); // release the socket
        if (res.ok) return;
        problem = `HTTP ${res.status}`;
      } catch (err) {
        // Only the error's name and code: fetch's messages may quote the URL.
        const cause = (err as { cause?: { code?: string } }).cause;
        problem = `${(err as Error).name}${cause?.code ? ` (${cause.code})` : ''}`;
      }
      if (this.closed) return;
      const last = attempt === this.opts.attempts;
      this.log.warn({ webhook: shown(given), attempt, problem }, last ? 'alert webhook failed; notification dropped' : 'alert webhook failed; retrying');
      if (last) return;
      await sleep(backoffMs(attempt - 1, this.opts.initialDelayMs), this.abort.signal, true);
    }
  }
}

/** `https://user:pass@host/x` → the URL without them and a Basic Authorization header (fetch refuses credentials in URLs). */
function withoutCredentials(given: string): { url: string; authorization?: string } {
  try {
    const u = new URL(given);
    if (!u.username && !u.password) return { url: given };
    const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    u.username = '';
    u.password = '';
    return { url: u.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  } catch {
    return { url: given };
  }
}

/** The URL as logged: without credentials or query string, which may carry a token. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[invalid url]';
  }
}
