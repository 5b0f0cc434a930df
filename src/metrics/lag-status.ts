/** The `lag` and `alerts` objects of GET /connectors/{name}/status (pgcdc extension), from the latest sample. */
import { formatLsn } from '../postgres/lsn.js';
import type { LagCollector } from './lag-collector.js';

export function lagStatus(collector: LagCollector): { lag?: Record<string, unknown>; alerts: unknown[] } {
  const s = collector.latest;
  const alerts = collector.alerts;
  if (!s) return collector.lastError ? { lag: { error: collector.lastError }, alerts } : { alerts };
  return {
    lag: {
      sampled_at: new Date(s.at).toISOString(),
      current_wal_lsn: formatLsn(s.currentWalLsn),
      ms_behind_source: s.lagMs,
      bytes_behind: s.lagBytes,
      retained_wal_bytes: s.retainedWalBytes,
      slot_active: s.slot.active,
      slot_wal_status: s.slot.walStatus,
      ...(collector.lastError ? { error: collector.lastError } : {}),
    },
    alerts,
  };
}
