/**
 * A fixed-bucket latency histogram in seconds, shaped like a Prometheus histogram (cumulative
 * `le` buckets, sum, count), with percentile estimates for status. Fixed buckets keep an
 * observation to a short scan of a small array: no allocation, no sorting.
 */

/** 1 ms .. 60 s: sub-millisecond is below what commit timestamps and acks can resolve anyway. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class LatencyHistogram {
  /** per bucket (not cumulative); the last slot is +Inf */
  private readonly counts: number[];
  count = 0;
  sum = 0;
  /** largest observation, so an estimate in the +Inf bucket stays finite and honest */
  max = 0;

  constructor(readonly bounds: readonly number[] = LATENCY_BUCKETS_SECONDS) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    const v = seconds > 0 ? seconds : 0; // clock skew between PostgreSQL and pgcdc: never negative
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Cumulative counts per `le` bound, +Inf last (Prometheus exposition). */
  cumulative(): { le: string; count: number }[] {
    let running = 0;
    const out = this.bounds.map((b, i) => ({ le: String(b), count: (running += this.counts[i]!) }));
    out.push({ le: '+Inf', count: this.count });
    return out;
  }

  /**
   * The q-quantile (0 < q ≤ 1) estimated like Prometheus' histogram_quantile: linear within the
   * bucket holding the rank; the +Inf bucket answers the largest observation. Null when empty.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = q * this.count;
    let below = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i]!;
      if (n > 0 && below + n >= rank) {
        if (i === this.bounds.length) return this.max;
        const lower = i === 0 ? 0 : this.bounds[i - 1]!;
        const upper = Math.min(this.bounds[i]!, this.max);
        return lower + (upper - lower) * Math.max(0, rank - below) / n;
      }
      below += n;
    }
    return this.max;
  }
}
