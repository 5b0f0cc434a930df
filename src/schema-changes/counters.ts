/**
 * Schema changes counted per connector, across runs (an approval restarts the run): kept beside the
 * connector's ConnectorMetrics, which outlives its runs.
 */
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { Classification } from './classify.js';

export type CountedOutcome = 'registered' | 'paused' | 'failed';

export class SchemaChangeCounters {
  /** key: `<classification>/<outcome>` */
  readonly counts = new Map<string, number>();

  count(classification: Classification, outcome: CountedOutcome): void {
    const k = `${classification}/${outcome}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  entries(): { classification: string; outcome: string; count: number }[] {
    return [...this.counts].map(([k, count]) => {
      const [classification, outcome] = k.split('/') as [string, string];
      return { classification, outcome, count };
    });
  }
}

const byConnector = new WeakMap<ConnectorMetrics, SchemaChangeCounters>();

export function schemaChangeCounters(metrics: ConnectorMetrics): SchemaChangeCounters {
  let c = byConnector.get(metrics);
  if (!c) byConnector.set(metrics, (c = new SchemaChangeCounters()));
  return c;
}
