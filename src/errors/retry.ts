import { isRetriable } from './pgcdc-error.js';

export interface RetryOptions {
  /** attempts after the first; -1 retries forever (until `signal` aborts) */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
}

/**
 * Runs `fn`, retrying retriable failures with exponential backoff and jitter (a random delay between
 * half the exponential cap and the cap), so that connectors failing together do not retry in lockstep.
 * Permanent failures are rethrown at once.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const exhausted = opts.maxRetries >= 0 && attempt >= opts.maxRetries;
      if (!isRetriable(err) || exhausted || opts.signal?.aborted) throw err;
      const cap = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** attempt);
      const delayMs = Math.round(cap / 2 + (Math.random() * cap) / 2);
      opts.onRetry?.(err, attempt + 1, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
