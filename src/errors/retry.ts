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
      const delayMs = backoffMs(attempt, opts.initialDelayMs, opts.maxDelayMs);
      opts.onRetry?.(err, attempt + 1, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}

/**
 * The delay before retry `attempt + 1` (attempt counts from 0): exponential from `initialDelayMs`,
 * capped at `maxDelayMs`, then jittered to between half the cap and the cap.
 */
export function backoffMs(attempt: number, initialDelayMs: number, maxDelayMs = Number.POSITIVE_INFINITY): number {
  const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts. `unref`: the timer does not keep the process alive. */
export function sleep(ms: number, signal?: AbortSignal, unref = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    if (unref) timer.unref();
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
