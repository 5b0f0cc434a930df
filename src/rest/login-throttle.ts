/**
 * Failed logins per client address: each is logged at warn (address, never the credential); after
 * MAX_FAILURES within WINDOW_MS the address gets 429 with Retry-After until the window ends, so
 * guessing a token costs minutes per handful of tries instead of thousands per second. Memory is
 * bounded: at most MAX_CLIENTS addresses are tracked, the oldest forgotten first.
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 60_000;
const MAX_CLIENTS = 10_000;

interface Entry {
  failures: number;
  windowStart: number;
}

export class LoginThrottle {
  private readonly clients = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait when the address is locked out, else 0. */
  retryAfter(address: string): number {
    const e = this.clients.get(address);
    if (!e) return 0;
    const left = e.windowStart + WINDOW_MS - this.now();
    if (left <= 0) {
      this.clients.delete(address);
      return 0;
    }
    return e.failures >= MAX_FAILURES ? Math.ceil(left / 1000) : 0;
  }

  /** Records a failure; returns the count within the window. */
  fail(address: string): number {
    let e = this.clients.get(address);
    if (!e || e.windowStart + WINDOW_MS <= this.now()) {
      this.clients.delete(address);
      e = { failures: 0, windowStart: this.now() };
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      this.clients.set(address, e);
    }
    e.failures++;
    return e.failures;
  }

  succeed(address: string): void {
    this.clients.delete(address);
  }

  get tracked(): number {
    return this.clients.size;
  }
}
