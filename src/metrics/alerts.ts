/**
 * Pure alert evaluation: no timers, no I/O, the clock is passed in, so it can be tested with a
 * fake clock. A condition must stay above its threshold for `forMs` before it FIRES (avoids
 * flapping on a short burst) and RESOLVES as soon as a sample is back at or under it.
 */

export type AlertName = 'lag_ms' | 'lag_bytes' | 'slot_retained_wal_bytes';

export interface AlertThresholds {
  /** 0 = off, for each of the three */
  lagMs: number;
  lagBytes: number;
  slotRetainedWalBytes: number;
  forMs: number;
}

/** One sample; null = unknown (PostgreSQL unreachable, no slot yet): the alert keeps its state. */
export interface AlertValues {
  lagMs: number | null;
  lagBytes: number | null;
  retainedWalBytes: number | null;
}

export interface AlertStatus {
  name: AlertName;
  /** pending: over the threshold, not yet for `forMs` */
  state: 'pending' | 'firing';
  /** ISO time the condition started (pending) or the alert fired (firing) */
  since: string;
  value: number;
  threshold: number;
}

export interface AlertTransition {
  name: AlertName;
  state: 'firing' | 'resolved';
  at: string;
  value: number;
  threshold: number;
}

interface Tracked {
  state: 'pending' | 'firing';
  since: number;
  value: number;
  threshold: number;
}

const CHECKS: { name: AlertName; value: (v: AlertValues) => number | null; threshold: (t: AlertThresholds) => number }[] = [
  { name: 'lag_ms', value: (v) => v.lagMs, threshold: (t) => t.lagMs },
  { name: 'lag_bytes', value: (v) => v.lagBytes, threshold: (t) => t.lagBytes },
  { name: 'slot_retained_wal_bytes', value: (v) => v.retainedWalBytes, threshold: (t) => t.slotRetainedWalBytes },
];

export class AlertEvaluator {
  private readonly tracked = new Map<AlertName, Tracked>();

  /** Feeds one sample taken at `now` (ms); returns the fire/resolve transitions it caused. */
  evaluate(values: AlertValues, thresholds: AlertThresholds, now: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const check of CHECKS) {
      const threshold = check.threshold(thresholds);
      const value = check.value(values);
      const current = this.tracked.get(check.name);
      if (threshold <= 0) {
        // switched off while firing: resolve it rather than leave it firing forever
        if (current?.state === 'firing') out.push(transition(check.name, 'resolved', now, value ?? current.value, current.threshold));
        this.tracked.delete(check.name);
        continue;
      }
      if (value === null) continue;
      if (value > threshold) {
        const t = current ?? { state: 'pending' as const, since: now, value, threshold };
        t.value = value;
        t.threshold = threshold;
        if (t.state === 'pending' && now - t.since >= thresholds.forMs) {
          t.state = 'firing';
          t.since = now;
          out.push(transition(check.name, 'firing', now, value, threshold));
        }
        this.tracked.set(check.name, t);
      } else if (current) {
        if (current.state === 'firing') out.push(transition(check.name, 'resolved', now, value, threshold));
        this.tracked.delete(check.name);
      }
    }
    return out;
  }

  /** Pending and firing alerts, for status. */
  get active(): AlertStatus[] {
    return [...this.tracked].map(([name, t]) => ({ name, state: t.state, since: new Date(t.since).toISOString(), value: t.value, threshold: t.threshold }));
  }

  isFiring(name: AlertName): boolean {
    return this.tracked.get(name)?.state === 'firing';
  }
}

export const ALERT_NAMES: AlertName[] = CHECKS.map((c) => c.name);

function transition(name: AlertName, state: 'firing' | 'resolved', now: number, value: number, threshold: number): AlertTransition {
  return { name, state, at: new Date(now).toISOString(), value, threshold };
}
